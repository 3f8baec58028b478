using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;
using Json.Schema;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace GrowthOps.Testing.OpenApi;

/// <summary>
/// A service's OpenAPI document as a contract its tests hold the service to: which operations exist, and whether a real
/// request or response matches what the document says of it (status, media type, JSON schema). Schemas are built once per
/// document location and cached; <c>$ref</c>s resolve inside the document.
/// </summary>
public sealed class OpenApiContract
{
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    readonly Uri documentUri = new($"https://growthops.test/{Guid.NewGuid():N}/openapi.json");
    readonly EvaluationOptions evaluation = new() { OutputFormat = OutputFormat.List };
    readonly ConcurrentDictionary<string, JsonSchema> schemas = new();
    readonly Lock evaluating = new();

    public OpenApiContract(JsonElement document)
    {
        Document = document.Clone();
        evaluation.SchemaRegistry.Register(documentUri, new JsonNodeBaseDocument(JsonNode.Parse(Document.GetRawText())!, documentUri));
        Operations = Document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => Methods.Contains(op.Name))
                .Select(op => new Operation(op.Name.ToUpperInvariant(), path.Name, op.Value,
                    JsonPointer.Create("paths", path.Name, op.Name).ToString())))
            .ToList();
    }

    public JsonElement Document { get; }

    public IReadOnlyList<Operation> Operations { get; }

    /// <summary>One operation of the document: a method on a path template such as <c>/api/leads/contacts/{id}</c>.</summary>
    public sealed record Operation(string Method, string Path, JsonElement Definition, string Pointer);

    public static async Task<OpenApiContract> LoadAsync(HttpClient client, string path = "/openapi/v1.json")
    {
        ArgumentNullException.ThrowIfNull(client);
        return new OpenApiContract(await client.GetFromJsonAsync<JsonElement>(path));
    }

    /// <summary>
    /// The endpoints a host maps that its document does not describe, as "METHOD /template". Endpoints excluded from the
    /// description on purpose (health checks, the document itself) are left out.
    /// </summary>
    public IReadOnlyList<string> Undocumented(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var documented = Operations.Select(o => $"{o.Method} {o.Path}").ToHashSet(StringComparer.Ordinal);
        return endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {Template(e.RoutePattern)}"))
            .Where(route => !documented.Contains(route))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A route pattern as OpenAPI writes its path: parameters without constraints, defaults or catch-all markers.</summary>
    public static string Template(RoutePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    /// <summary>The operation for a request, preferring literal segments over parameters (<c>/transitions/bulk</c> before <c>/transitions/{id}</c>).</summary>
    public Operation? Find(string method, string path)
    {
        var actual = Segments(path);
        return Operations
            .Where(o => o.Method == method.ToUpperInvariant())
            .Select(o => (Operation: o, Template: Segments(o.Path)))
            .Where(x => x.Template.Length == actual.Length &&
                        x.Template.Zip(actual).All(p => IsParameter(p.First) || string.Equals(p.First, p.Second, StringComparison.Ordinal)))
            .OrderByDescending(x => x.Template.Count(s => !IsParameter(s)))
            .Select(x => x.Operation)
            .FirstOrDefault();
    }

    /// <summary>What is wrong with a response to <paramref name="operation"/>; empty when it matches the document.</summary>
    public IReadOnlyList<string> CheckResponse(Operation operation, int status, string? mediaType, string body)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var responses = operation.Definition.GetProperty("responses");
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.TryGetProperty(key, out var response) && !responses.TryGetProperty("default", out response))
            return [$"{status} is not a documented response (documented: {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))})"];
        key = responses.TryGetProperty(key, out _) ? key : "default";
        return CheckContent(response, $"{operation.Pointer}/responses/{key}", mediaType, body, $"the {status} response");
    }

    /// <summary>What is wrong with a request body to <paramref name="operation"/>; empty when it matches the document.</summary>
    public IReadOnlyList<string> CheckRequest(Operation operation, string? mediaType, string body)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!operation.Definition.TryGetProperty("requestBody", out var requestBody))
            return body.Length == 0 ? [] : ["the request has a body but the operation documents none"];
        return CheckContent(requestBody, $"{operation.Pointer}/requestBody", mediaType, body, "the request body");
    }

    IReadOnlyList<string> CheckContent(JsonElement described, string pointer, string? mediaType, string body, string what)
    {
        if (!described.TryGetProperty("content", out var content) || !content.EnumerateObject().Any())
            return body.Length == 0 ? [] : [$"{what} has a body ({mediaType}) but the document describes none"];
        if (body.Length == 0)
            return [$"{what} is empty but the document describes {string.Join(", ", content.EnumerateObject().Select(c => c.Name))}"];
        if (mediaType is null || !content.TryGetProperty(mediaType, out var media))
            return [$"{what} is {mediaType ?? "without a media type"}; the document describes {string.Join(", ", content.EnumerateObject().Select(c => c.Name))}"];
        // A schema describes JSON; a body of another type (a CSV export) is held to its media type only.
        if (!media.TryGetProperty("schema", out _) || !(mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal)))
            return [];

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return [$"{what} is not JSON: {e.Message}"];
        }

        // One schema per location, kept: JsonSchema.Net compiles a schema on its first evaluation and reuses that after.
        var schema = schemas.GetOrAdd($"{pointer}/content/{EscapePointer(mediaType)}/schema",
            location => new JsonSchemaBuilder().Ref(new Uri($"{documentUri}#{location}")).Build());
        EvaluationResults result;
        lock (evaluating)
            result = schema.Evaluate(instance, evaluation);
        if (result.IsValid)
            return [];
        return (result.Details ?? [result])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{what} at '{d.InstanceLocation}' ({d.EvaluationPath}): {e.Value}"))
            .DefaultIfEmpty($"{what} does not match its schema")
            .ToList();
    }

    static string EscapePointer(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    static string[] Segments(string path) => path.Split('?')[0].Trim('/').Split('/');
}

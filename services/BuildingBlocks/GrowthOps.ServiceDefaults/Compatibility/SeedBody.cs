using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.ServiceDefaults.Compatibility;

/// <summary>
/// How the seeds' action-style routes (<c>POST /api/synthex/… {action: …}</c>) read a body: member names in snake_case or the
/// seeds' camelCase, the envelope's members checked by type whatever the action, the rest read as the REST request the
/// action stands for; a tenant id that is not the token's is a 403. Each service's compatibility API dispatches on top.
/// </summary>
public static class SeedBody
{
    /// <summary>How the REST routes read their bodies.</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>
    /// The body with every member name in snake_case (<c>triggeredBy</c> → <c>triggered_by</c>). Two members that become one
    /// name (<c>tenantId</c> and <c>tenant_id</c>) are an error: which one the client meant is not ours to guess.
    /// </summary>
    public static JsonObject SnakeCase(JsonElement body, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var result = new JsonObject();
        var given = new Dictionary<string, string>();
        foreach (var property in body.EnumerateObject())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            if (given.TryGetValue(name, out var first))
                errors[name] = [$"is given twice ({first} and {property.Name})"];
            given[name] = property.Name;
            result[name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return result;
    }

    /// <summary>A member that must be a UUID string when present; null when absent, null or wrong (then <paramref name="errors"/> says so).</summary>
    public static Guid? Uuid(JsonObject fields, string name, string what, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(errors);
        if (fields[name] is not { } node)
            return null;
        if (node.GetValueKind() == JsonValueKind.String && Guid.TryParse(node.GetValue<string>(), out var id))
            return id;
        errors[name] = [$"must be {what} (a UUID string)"];
        return null;
    }

    /// <summary>A member that must be a string when present.</summary>
    public static string? Text(JsonObject fields, string name, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(errors);
        if (fields[name] is not { } node)
            return null;
        if (node.GetValueKind() == JsonValueKind.String)
            return node.GetValue<string>();
        errors[name] = ["must be a string"];
        return null;
    }

    /// <summary>The members as the REST request <typeparamref name="T"/>; null with the member named in <paramref name="errors"/> when one has the wrong type.</summary>
    public static T? TryRead<T>(JsonObject fields, Dictionary<string, string[]> errors) where T : class
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            return fields.Deserialize<T>(Json);
        }
        catch (JsonException e)
        {
            errors[e.Path is ['$', '.', .. var member] ? member : "body"] = ["has the wrong JSON type"];
            return null;
        }
    }

    public static ProblemHttpResult Forbidden() =>
        TypedResults.Problem("tenantId does not match the tenant of the token.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Extensions.ConfigureJson(options);
        return options;
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Routing;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// The OpenAPI document describes the API as it is. Every other test class in this project also holds each of its calls to the
/// document (<see cref="ConformingToTheDocument"/>); these tests check the document's coverage and the checker itself.
/// </summary>
public sealed partial class Describing_the_api(LeadsApp app) : IClassFixture<LeadsApp>
{
    /// <summary>HubSpot's own wire format, documented as HubSpot sends it.</summary>
    static readonly string[] CamelCaseSchemas = ["HubSpotWebhookEvent"];

    static readonly string[] Webhooks = ["/webhooks/hubspot", "/api/webhook/hubspot"];

    [Fact]
    public async Task Documents_every_mapped_endpoint()
    {
        var contract = await app.Contract;

        Assert.Empty(contract.Undocumented(app.Services.GetRequiredService<EndpointDataSource>()));
        Assert.NotEmpty(contract.Operations);
    }

    [Fact]
    public async Task Names_members_and_parameters_in_snake_case()
    {
        var contract = await app.Contract;

        var members = Schemas(contract).Where(s => !CamelCaseSchemas.Contains(s.Name))
            .SelectMany(s => Properties(s.Schema).Select(p => $"{s.Name}.{p}"));
        Assert.All(members, member => Assert.Matches(SnakeCase(), member.Split('.')[1]));
        // Headers keep their HTTP names (Idempotency-Key).
        var parameters = contract.Operations.SelectMany(o => o.Definition.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : [])
            .Where(p => p.GetProperty("in").GetString() is "query" or "path")
            .Select(p => p.GetProperty("name").GetString()!);
        Assert.NotEmpty(parameters);
        Assert.All(parameters, name => Assert.Matches(SnakeCase(), name));
    }

    [Fact]
    public async Task Describes_numbers_as_json_numbers_only()
    {
        var contract = await app.Contract;

        var contact = Schema(contract, "ContactDto");
        Assert.Equal("integer", contact.GetProperty("properties").GetProperty("score").GetProperty("type").GetString());
        // With the web defaults' AllowReadingFromString every number would read "integer or string".
        var mixed = Descendants(contract.Document).Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var type) &&
            type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "string") &&
            type.EnumerateArray().Any(t => t.GetString() is "integer" or "number"));
        Assert.Empty(mixed);
    }

    [Fact]
    public async Task Requires_a_bearer_token_everywhere_but_on_the_webhooks()
    {
        var contract = await app.Contract;

        var bearer = contract.Document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer", "JWT"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString(),
            bearer.GetProperty("bearerFormat").GetString()));
        foreach (var operation in contract.Operations)
        {
            var security = operation.Definition.GetProperty("security").EnumerateArray().ToList();
            if (Webhooks.Contains(operation.Path))
            {
                Assert.Empty(security);
                Assert.False(operation.Definition.GetProperty("responses").TryGetProperty("403", out _));
            }
            else
            {
                Assert.True(security.Count == 1 && security[0].TryGetProperty("Bearer", out _), $"{operation.Method} {operation.Path} is not secured");
                Assert.True(operation.Definition.GetProperty("responses").TryGetProperty("401", out _), $"{operation.Method} {operation.Path}: no 401");
            }
        }
    }

    [Theory]
    [InlineData("POST", "/api/leads/contacts/{id}/transitions", new[] { 400, 404, 409, 422 })]
    [InlineData("PATCH", "/api/leads/contacts/{id}", new[] { 400, 404, 409 })]
    [InlineData("DELETE", "/api/leads/states/{id}", new[] { 404, 409 })]
    [InlineData("POST", "/api/leads/transitions", new[] { 400, 409, 422 })]
    [InlineData("POST", "/api/leads/automations", new[] { 400, 422 })]
    [InlineData("POST", "/api/leads/contacts/{id}/predictions", new[] { 404, 422 })]
    [InlineData("PUT", "/api/leads/integrations/hubspot", new[] { 400, 409 })]
    [InlineData("POST", "/webhooks/hubspot", new[] { 400, 401, 404 })]
    [InlineData("GET", "/api/leads/contacts", new[] { 400 })]
    [InlineData("GET", "/api/leads/states", new[] { 400 })]
    [InlineData("POST", "/api/leads/contacts", new[] { 400, 409, 413, 422 })]
    public async Task Shows_the_problems_an_operation_answers_where_they_happen(string method, string path, int[] statuses)
    {
        var operation = (await app.Contract).Operations.Single(o => o.Method == method && o.Path == path);

        var responses = operation.Definition.GetProperty("responses");
        foreach (var status in statuses)
            Assert.True(responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out _), $"{method} {path}: no {status}");
    }

    [Fact]
    public async Task Describes_every_error_as_a_problem_document()
    {
        var contract = await app.Contract;

        foreach (var operation in contract.Operations)
        {
            var responses = operation.Definition.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(responses, r => r.Name == "503");
            foreach (var error in responses.Where(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture) >= 400))
            {
                var content = error.Value.GetProperty("content").EnumerateObject().ToList();
                Assert.True(content is [{ Name: "application/problem+json" }], $"{operation.Method} {operation.Path} {error.Name}");
            }
        }
    }

    [Fact]
    public async Task Declares_the_type_of_every_request_body()
    {
        var contract = await app.Contract;

        foreach (var operation in contract.Operations.Where(o => o.Definition.TryGetProperty("requestBody", out _)))
        {
            var schema = operation.Definition.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.True(schema.EnumerateObject().Any(), $"{operation.Method} {operation.Path} accepts any JSON");
        }

        var contact = contract.Operations.Single(o => o is { Method: "POST", Path: "/api/leads/contacts" });
        Assert.Contains("first_name", Properties(Resolve(contract, contact.Definition.GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema"))));
    }

    [Fact]
    public async Task Documents_a_limit_for_every_member_of_every_request_body()
    {
        var contract = await app.Contract;
        var unlimited = new List<string>();
        var visited = new List<string>();
        var seen = new HashSet<string>();

        void Visit(JsonElement schema, string where)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                var name = reference.GetString()!.Split('/')[^1];
                if (seen.Add(name))
                    Visit(Schema(contract, name), name);
                return;
            }

            foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
                if (schema.TryGetProperty(keyword, out var options))
                    foreach (var option in options.EnumerateArray())
                        Visit(option, where);

            var types = schema.TryGetProperty("type", out var type)
                ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()]
                : [];
            bool Has(string keyword) => schema.TryGetProperty(keyword, out _);
            var limited = types switch
            {
                _ when types.Contains("string") => Has("maxLength") || Has("enum") || Has("format"),
                _ when types.Contains("array") => Has("maxItems"),
                _ when types.Contains("object") => Has("properties") || Has("maxProperties"),
                [] => Has("$ref") || Has("oneOf") || Has("maxProperties") || Has("maxItems") || Has("maxLength"),
                _ => true,
            };
            visited.Add(where);
            if (!limited)
                unlimited.Add(where);
            if (schema.TryGetProperty("items", out var items))
                Visit(items, $"{where}[]");
            if (schema.TryGetProperty("properties", out var properties))
                foreach (var property in properties.EnumerateObject())
                    Visit(property.Value, $"{where}.{property.Name}");
        }

        foreach (var operation in contract.Operations.Where(o => o.Definition.TryGetProperty("requestBody", out _)))
            Visit(operation.Definition.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"),
                $"{operation.Method} {operation.Path}");

        Assert.Empty(unlimited);
        Assert.Contains("ContactRequest.attributes", visited);
        Assert.Contains("AutomationRequest.actions[].variables", visited);
        Assert.Contains("HubSpotWebhookEvent.propertyValue", visited);
    }

    [Fact]
    public async Task Shows_the_limits_of_request_members_in_the_schemas()
    {
        var contract = await app.Contract;
        int Limit(string schema, string member, string keyword) =>
            Schema(contract, schema).GetProperty("properties").GetProperty(member).GetProperty(keyword).GetInt32();

        Assert.Equal(254, Limit("ContactRequest", "email", "maxLength"));
        Assert.Equal(500, Limit("ContactRequest", "first_name", "maxLength"));
        Assert.Equal(100, Limit("ContactRequest", "attributes", "maxProperties"));
        Assert.Equal(100, Schema(contract, "ContactRequest").GetProperty("properties").GetProperty("attributes").GetProperty("propertyNames")
            .GetProperty("maxLength").GetInt32());
        Assert.Contains("16384 bytes", Schema(contract, "ContactRequest").GetProperty("properties").GetProperty("attributes").GetProperty("description")
            .GetString());
        Assert.Equal(100, Limit("ContactRequest", "tags", "maxItems"));
        Assert.Equal(64, Schema(contract, "ContactRequest").GetProperty("properties").GetProperty("tags").GetProperty("items").GetProperty("maxLength")
            .GetInt32());
        Assert.Equal(1000, Limit("StateRequest", "description", "maxLength"));
        Assert.Equal(200, Limit("TransitionRequest", "name", "maxLength"));
        Assert.Equal(2000, Limit("ExecuteRequest", "notes", "maxLength"));
        Assert.Equal(200, Limit("ExecuteRequest", "triggered_by", "maxLength"));
        Assert.Equal(100, Limit("ActivityRequest", "metadata", "maxProperties"));
        Assert.Equal(1000, Limit("ActivityBatchRequest", "activities", "maxItems"));
        Assert.Equal(50, Limit("AutomationRequest", "conditions", "maxItems"));
        Assert.Equal(100, Limit("AutomationCondition", "value", "maxItems"));
        Assert.Equal(50, Schema(contract, "AutomationRequest").GetProperty("properties").GetProperty("actions").GetProperty("items")
            .GetProperty("properties").GetProperty("variables").GetProperty("maxProperties").GetInt32());
    }

    [Fact]
    public async Task Refuses_a_response_that_drifts_from_the_document()
    {
        var contract = await app.Contract;
        var get = contract.Find("GET", $"/api/leads/contacts/{Guid.NewGuid()}")!;
        var client = app.ClientFor(Guid.NewGuid());
        var created = await (await client.Post("/api/leads/contacts", new { email = "drift@example.com", score = 10 })).Json();
        var body = created.GetRawText();

        Assert.Empty(contract.CheckResponse(get, 200, "application/json", body));
        Assert.NotEmpty(contract.CheckResponse(get, 200, "application/json", body.Replace("\"score\":10", "\"score\":\"10\"", StringComparison.Ordinal)));
        Assert.NotEmpty(contract.CheckResponse(get, 200, "application/json", body.Replace("\"first_name\":", "\"firstName\":", StringComparison.Ordinal)));
        Assert.NotEmpty(contract.CheckResponse(get, 418, "application/json", body));
        Assert.NotEmpty(contract.CheckResponse(get, 404, "application/json", body));
        await Assert.ThrowsAsync<OpenApiViolationException>(() => client.GetAsync("/api/leads/not-an-operation"));
    }

    static IEnumerable<(string Name, JsonElement Schema)> Schemas(OpenApiContract contract) =>
        contract.Document.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(s => (s.Name, s.Value));

    static JsonElement Schema(OpenApiContract contract, string name) =>
        contract.Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    static JsonElement Resolve(OpenApiContract contract, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? Schema(contract, reference.GetString()!.Split('/')[^1]) : schema;

    static IEnumerable<string> Properties(JsonElement schema) =>
        schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name) : [];

    static IEnumerable<JsonElement> Descendants(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Descendants(p.Value)).Prepend(element),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Descendants).Prepend(element),
        _ => [element],
    };

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}

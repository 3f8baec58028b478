using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Cortex.Tests.Apis;

/// <summary>The OpenAPI document describes the API as it is (every other test holds its calls to it).</summary>
public sealed partial class Describing_the_api(CortexApp app) : IClassFixture<CortexApp>
{
    [Fact]
    public async Task Documents_every_mapped_endpoint_in_snake_case()
    {
        var contract = await app.Contract;

        Assert.Empty(contract.Undocumented(app.Services.GetRequiredService<EndpointDataSource>()));
        var members = contract.Document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(s => s.Value.TryGetProperty("properties", out var p) ? p.EnumerateObject().Select(m => m.Name) : []);
        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.Matches(SnakeCase(), m));
        var parameters = contract.Operations.SelectMany(o => o.Definition.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : [])
            .Where(p => p.GetProperty("in").GetString() is "query" or "path").Select(p => p.GetProperty("name").GetString()!);
        Assert.All(parameters, name => Assert.Matches(SnakeCase(), name));
        // Publishing documents its refusal of an invalid graph.
        var publish = contract.Operations.Single(o => o.Path == "/api/cortex/workflows/{id}/publish");
        Assert.True(publish.Definition.GetProperty("responses").TryGetProperty("422", out _));
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}

using System.Net;
using GrowthOps.Cortex.Apis;
using GrowthOps.ServiceDefaults.Authorization;

namespace GrowthOps.Cortex.Tests.Apis;

/// <summary>The seed's workflow permissions as token scopes: each route needs its own, a missing one is a 403 that names it.</summary>
public sealed class Enforcing_permissions(CortexApp app) : IClassFixture<CortexApp>
{
    static readonly object Graph = new
    {
        nodes = new object[]
        {
            new { id = "t1", type = "trigger", position = new { x = 0, y = 0 }, data = new { trigger_type = "custom.event" } },
            new { id = "a1", type = "action", position = new { x = 0, y = 100 }, data = new { action_type = "add_tag", config = new { tag = "x" } } },
        },
        edges = new object[] { new { id = "e1", source = "t1", target = "a1" } },
    };

    [Fact]
    public async Task Each_route_needs_its_scope_and_a_missing_one_is_a_403_problem_naming_it()
    {
        var tenant = Guid.NewGuid();
        var reader = app.ClientFor(tenant, "workflow.read");
        var designer = app.ClientFor(tenant, "workflow.create workflow.read workflow.update");
        var admin = app.ClientFor(tenant, "workflow.*");

        var response = await reader.Post("/api/cortex/workflows", new { name = "Nope", graph = Graph });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var refused = await response.Expect(HttpStatusCode.Forbidden);
        Assert.Equal("workflow.create", refused.GetProperty("required_scope").GetString());
        Assert.Contains("workflow.create", refused.GetProperty("detail").GetString());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from cortex.workflows where tenant_id = $1", tenant));

        var id = (await (await designer.Post("/api/cortex/workflows", new { name = "Tagging", graph = Graph })).Expect(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        await (await designer.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        Assert.Equal("Tagging", (await reader.GetJson($"/api/cortex/workflows/{id}")).GetProperty("name").GetString());

        // Designing is not running, pausing, deleting or reading runs and analytics.
        var cases = new (Func<HttpClient, Task<HttpResponseMessage>> Call, string Scope)[]
        {
            (c => c.Post($"/api/cortex/workflows/{id}/runs", new { dry_run = true }), "workflow.execute"),
            (c => c.PostAsync($"/api/cortex/workflows/{id}/pause", null), "workflow.pause"),
            (c => c.DeleteAsync($"/api/cortex/workflows/{id}"), "workflow.delete"),
            (c => c.GetAsync($"/api/cortex/runs?workflow_id={id}"), "workflow.view_runs"),
            (c => c.GetAsync("/api/cortex/dead-letters"), "workflow.view_runs"),
            (c => c.GetAsync($"/api/cortex/workflows/{id}/analytics"), "workflow.view_analytics"),
            (c => c.Patch($"/api/cortex/workflows/{id}", new { name = "Renamed" }), "workflow.update"),
        };
        foreach (var (call, scope) in cases)
        {
            var client = scope == "workflow.update" ? reader : designer;
            var problem = await (await call(client)).Expect(HttpStatusCode.Forbidden);
            Assert.Equal(scope, problem.GetProperty("required_scope").GetString());
        }

        Assert.Equal("active", (await reader.GetJson($"/api/cortex/workflows/{id}")).GetProperty("status").GetString());
        Assert.Equal("Tagging", (await reader.GetJson($"/api/cortex/workflows/{id}")).GetProperty("name").GetString());

        // The family wildcard grants them all; so does a token without a scope claim (a full tenant token).
        await (await admin.Post($"/api/cortex/workflows/{id}/runs", new { dry_run = true })).Expect(HttpStatusCode.Accepted);
        Assert.Equal(1, (await admin.GetJson($"/api/cortex/runs?workflow_id={id}")).GetProperty("items").GetArrayLength());
        await (await admin.GetAsync($"/api/cortex/workflows/{id}/analytics")).Expect(HttpStatusCode.OK);
        await (await app.ClientFor(tenant).PostAsync($"/api/cortex/workflows/{id}/pause", null)).Expect(HttpStatusCode.OK);
        // A scope of another service's family grants nothing here.
        await (await app.ClientFor(tenant, "leads.* segments.read").GetAsync($"/api/cortex/workflows/{id}")).Expect(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void A_token_without_a_scope_claim_holds_none_when_scopes_are_required()
    {
        var none = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new("tenant_id", Guid.NewGuid().ToString())], "test"));
        Assert.True(Scopes.Grants(none, "workflow.read", requireScopes: false));
        Assert.False(Scopes.Grants(none, "workflow.read", requireScopes: true));
        var azure = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new("scp", "workflow.read workflow.pause")], "test"));
        Assert.True(Scopes.Grants(azure, "workflow.pause", requireScopes: true));
        Assert.False(Scopes.Grants(azure, "workflow.pauses", requireScopes: true));
        Assert.False(Scopes.Grants(azure, "workflow.execute", requireScopes: true));
    }

    [Fact]
    public async Task The_document_names_the_scope_of_every_route()
    {
        var contract = await app.Contract;
        // The inbox is the caller's own (any token of the tenant); every other route is a workflow permission's.
        var operations = contract.Operations.Where(o => o.Path.StartsWith("/api/cortex/", StringComparison.Ordinal)
                                                        && !o.Path.StartsWith("/api/cortex/notifications", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(operations);
        foreach (var o in operations)
        {
            var scopes = o.Definition.GetProperty("x-required-scopes").EnumerateArray().Select(s => s.GetString()).ToList();
            Assert.Single(scopes);
            Assert.Contains(scopes[0], WorkflowScopes.All);
            var security = o.Definition.GetProperty("security")[0].EnumerateObject().Single().Value.EnumerateArray().Select(s => s.GetString());
            Assert.Equal(scopes, security);
            Assert.Contains(scopes[0]!, o.Definition.GetProperty("responses").GetProperty("403").GetProperty("description").GetString());
        }

        // Every one of the seed's permissions guards at least one route.
        Assert.Equal(WorkflowScopes.All.Order(), operations.Select(o => o.Definition.GetProperty("x-required-scopes")[0].GetString()!).Distinct().Order());
    }
}

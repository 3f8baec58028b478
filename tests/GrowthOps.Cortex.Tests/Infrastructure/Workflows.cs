using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Cortex.Tests.Infrastructure;

/// <summary>What the run tests build workflows and runs with: React Flow nodes and edges, a published workflow, a contact Cortex knows.</summary>
public static class Workflows
{
    public static object Node(string id, string type, object data) => new { id, type, position = new { x = 0, y = 0 }, data };

    public static object Edge(string source, string target, string? handle = null) =>
        new { id = $"{source}-{target}{(handle is null ? "" : "-" + handle)}", source, target, sourceHandle = handle };

    /// <summary>Creates and publishes a workflow; <paramref name="extra"/> adds top-level fields (reentry, goal…).</summary>
    public static async Task<Guid> PublishWorkflow(this HttpClient client, object graph, object? extra = null)
    {
        var body = JsonSerializer.SerializeToNode(new { name = "flow " + Guid.NewGuid().ToString("N")[..6], graph }, CortexApp.Json)!.AsObject();
        if (extra is not null)
            foreach (var (k, v) in JsonSerializer.SerializeToNode(extra, CortexApp.Json)!.AsObject())
                body[k] = v?.DeepClone();
        var id = (await (await client.Post("/api/cortex/workflows", body)).Expect(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        return id;
    }

    /// <summary>A contact announced by Leads (ContactCreated), once Cortex's copy has it.</summary>
    public static async Task<Guid> KnownContact(this CortexApp app, Guid tenant, string first = "Ada", string? timezone = null, string? owner = null)
    {
        var id = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, new ContactSnapshot(id, $"{id:N}@example.com", "lead", first, "Lovelace", null, "Analytical",
            "web", null, owner, 10, timezone, true, [], "new", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(id, default)), c => c is not null,
            TimeSpan.FromSeconds(20), "Cortex knows the contact");
        return id;
    }

    public static async Task<Guid> StartRun(this HttpClient client, Guid workflowId, Guid? contactId = null) =>
        (await (await client.Post($"/api/cortex/workflows/{workflowId}/runs", new { contact_id = contactId })).Expect(HttpStatusCode.Accepted))
        .GetProperty("id").GetGuid();

    public static async Task<JsonElement> FinishedRun(this HttpClient client, Guid runId) =>
        await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{runId}"), r => r.GetProperty("finished_at").ValueKind != JsonValueKind.Null,
            TimeSpan.FromSeconds(30), "the run finishes");

    public static async Task<List<JsonElement>> RunLog(this HttpClient client, Guid runId) =>
        (await client.GetJson($"/api/cortex/runs/{runId}/logs")).EnumerateArray().ToList();
}

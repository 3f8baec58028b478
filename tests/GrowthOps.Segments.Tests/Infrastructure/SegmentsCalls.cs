using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>The calls the API tests of rules, overlaps, campaigns, stats, smart lists, snapshots and schedules share.</summary>
public static class SegmentsCalls
{
    public static StringContent Body(string json) => SegmentsClient.Body(json);

    /// <summary>The response's JSON after asserting its status (default when it has no body).</summary>
    public static Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected) => response.Json(expected);

    public static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    public static async Task<JsonElement> Get(HttpClient client, string path) => await Json(await client.GetAsync(path), HttpStatusCode.OK);

    /// <summary>A segment from its JSON fields (<c>name</c>, <c>criteria</c> …), 201 expected.</summary>
    public static async Task<JsonElement> CreateSegment(HttpClient client, string json) =>
        await Json(await client.PostAsync("/api/segments/segments", Body(json)), HttpStatusCode.Created);

    public static List<Guid> Ids(JsonElement items, string property = "contact_id") =>
        items.EnumerateArray().Select(i => i.GetProperty(property).GetGuid()).ToList();

    /// <summary>Contacts in the tenant's read model as Leads' events leave them (per-event membership included).</summary>
    public static Task AddContacts(SegmentsApp app, Guid tenant, params ContactSnapshot[] contacts) => app.Contacts(tenant, contacts);

    /// <summary>Contacts in the tenant's read model as Leads' events would leave them, first names as given.</summary>
    public static async Task<List<Guid>> Contacts(SegmentsApp app, Guid tenant, params string[] firstNames)
    {
        var ids = firstNames.Select(_ => Guid.CreateVersion7()).ToList();
        await app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            for (var i = 0; i < ids.Count; i++)
                await updater.ApplyAsync(LeadsContacts.Snapshot(ids[i], 1, firstNames[i]), default);
        });
        return ids;
    }

    /// <summary>A static segment with <paramref name="members"/>.</summary>
    public static async Task<Guid> StaticSegment(HttpClient client, string name, IEnumerable<Guid> members)
    {
        var segment = Id(await Json(await client.PostAsync("/api/segments/segments", Body($$"""{"name": "{{name}}", "kind": "static"}""")),
            HttpStatusCode.Created));
        var ids = members.ToList();
        if (ids.Count > 0)
            await Json(await client.PostAsync($"/api/segments/segments/{segment}/members", Body(JsonSerializer.Serialize(new { contact_ids = ids }))),
                HttpStatusCode.OK);
        return segment;
    }

    /// <summary>A dynamic segment of the contacts with one of <paramref name="firstNames"/>.</summary>
    public static async Task<JsonElement> DynamicSegment(HttpClient client, string name, params string[] firstNames) =>
        await Json(await client.PostAsync("/api/segments/segments", Body(JsonSerializer.Serialize(new
        {
            name, type = "demographic", criteria = new[] { new { field = "first_name", @operator = "in", value = firstNames } },
        }))), HttpStatusCode.Created);
}

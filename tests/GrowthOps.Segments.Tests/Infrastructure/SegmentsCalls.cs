using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>Calls of the Segments API that tests share: JSON bodies, answers checked for their status, segments created.</summary>
public static class SegmentsCalls
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    public static async Task<JsonElement> Get(HttpClient client, string path) => await Json(await client.GetAsync(path), HttpStatusCode.OK);

    /// <summary>A segment from its JSON fields (<c>name</c>, <c>criteria</c> …), 201 expected.</summary>
    public static async Task<JsonElement> CreateSegment(HttpClient client, string json) =>
        await Json(await client.PostAsync("/api/segments/segments", Body(json)), HttpStatusCode.Created);

    public static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    public static List<Guid> Ids(JsonElement items, string property = "contact_id") =>
        items.EnumerateArray().Select(i => i.GetProperty(property).GetGuid()).ToList();

    /// <summary>Contacts in the tenant's read model as Leads' events leave them (per-event membership included).</summary>
    public static Task AddContacts(SegmentsApp app, Guid tenant, params ContactSnapshot[] contacts) =>
        app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            foreach (var contact in contacts)
                await updater.ApplyAsync(contact, default);
        });
}

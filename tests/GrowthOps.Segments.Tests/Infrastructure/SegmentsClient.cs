using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>What the API tests do again and again: put contacts in a tenant's read model, send raw JSON, read an expected answer.</summary>
public static class SegmentsClient
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The contacts in the tenant's read model, as Leads' events would leave them.</summary>
    public static Task Contacts(this SegmentsApp app, Guid tenant, params ContactSnapshot[] contacts) =>
        app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            foreach (var contact in contacts)
                await updater.ApplyAsync(contact, default);
        });

    /// <summary>The body of a response with the <paramref name="expected"/> status (the failure shows the body); default for an empty one.</summary>
    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    public static async Task<JsonElement> PostJson(this HttpClient client, string path, string json, HttpStatusCode expected) =>
        await (await client.PostAsync(path, Body(json))).Json(expected);

    public static async Task<JsonElement> GetJson(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(path)).Json(expected);

    public static Guid Id(this JsonElement e) => e.GetProperty("id").GetGuid();

    public static IEnumerable<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray();
}

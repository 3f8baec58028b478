using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>What the tests do again and again: contacts as Leads announces them, raw JSON calls, expected answers.</summary>
public static class EmailClient
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A contact snapshot as Leads' events carry it.</summary>
    public static ContactSnapshot Contact(string? email = null, string? firstName = "Ada", string? lastName = "Lovelace", string? company = "Analytical",
        bool consent = true, long version = 1, Guid? id = null, string? timezone = null, IReadOnlyDictionary<string, JsonElement>? attributes = null,
        IReadOnlyList<string>? tags = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new ContactSnapshot(id ?? Guid.NewGuid(), email ?? MailCatcher.Address(), "lead", firstName, lastName, null, company, null, null, null,
            0, timezone, consent, tags ?? [], "new", attributes, null, now, now, version);
    }

    /// <summary>Publishes the contacts as Leads would (ContactCreated) and waits until Email's read model holds them.</summary>
    public static async Task Contacts(this EmailApp app, Guid tenant, params ContactSnapshot[] contacts)
    {
        foreach (var contact in contacts)
            await app.Bus.Bus.Publish(new ContactCreated(tenant, contact, DateTimeOffset.UtcNow));
        var ids = contacts.Select(c => c.Id).ToArray();
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from email.recipients where tenant_id = $1 and contact_id = any($2)", tenant, ids), n => n == ids.Length,
            TimeSpan.FromSeconds(30), "Email's read model holds the contacts");
    }

    /// <summary>The body of a response with the <paramref name="expected"/> status (the failure shows the body); default for an empty one.</summary>
    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    public static async Task<JsonElement> PostJson(this HttpClient client, string path, string json, HttpStatusCode expected) =>
        await (await client.PostAsync(path, Body(json))).Json(expected);

    public static async Task<JsonElement> PutJson(this HttpClient client, string path, string json, HttpStatusCode expected) =>
        await (await client.PutAsync(path, Body(json))).Json(expected);

    public static async Task<JsonElement> GetJson(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(path)).Json(expected);

    public static Guid Id(this JsonElement e) => e.GetProperty("id").GetGuid();

    public static IEnumerable<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray();
}

using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Infrastructure;

/// <summary>What tests do to the Leads API to set up a scenario, checked as they go (a failed step names its response).</summary>
public static class LeadsClient
{
    /// <summary>Creates a contact from a body; returns its id.</summary>
    public static async Task<Guid> CreateContact(this HttpClient client, object body)
    {
        var response = await client.Post("/api/leads/contacts", body);
        await Expect(response, HttpStatusCode.Created, "POST /api/leads/contacts");
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    public static Task<Guid> CreateContact(this HttpClient client, string email, string kind = "lead") =>
        client.CreateContact(new { email, kind });

    public static async Task<JsonElement> Contact(this HttpClient client, Guid contactId) =>
        await client.GetJson($"/api/leads/contacts/{contactId}");

    /// <summary>Moves the contact as a user would; returns the history entry's id.</summary>
    public static async Task<Guid> Transition(this HttpClient client, Guid contactId, string toState)
    {
        var response = await client.Post($"/api/leads/contacts/{contactId}/transitions", new { to_state = toState });
        await Expect(response, HttpStatusCode.Created, toState);
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>Moves the contact through <paramref name="states"/> in order.</summary>
    public static async Task Move(this HttpClient client, Guid contactId, params string[] states)
    {
        foreach (var state in states)
            await client.Transition(contactId, state);
    }

    /// <summary>Records one activity; returns what the service answered.</summary>
    public static async Task<JsonElement> RecordActivity(this HttpClient client, object body)
    {
        var response = await client.Post("/api/leads/activities", body);
        await Expect(response, HttpStatusCode.Created, "POST /api/leads/activities");
        return await response.Json();
    }

    public static async Task<Guid> StateId(this HttpClient client, string name) =>
        (await client.GetJson("/api/leads/states")).EnumerateArray().Single(s => s.GetProperty("name").GetString() == name).GetProperty("id").GetGuid();

    public static async Task<JsonElement> GetJson(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await Expect(response, HttpStatusCode.OK, $"GET {url}");
        return await response.Json();
    }

    /// <summary>The response's JSON (default when empty) once its status is <paramref name="status"/>; otherwise the test fails naming the call.</summary>
    public static async Task<JsonElement> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    static async Task Expect(HttpResponseMessage response, HttpStatusCode status, string step) =>
        Assert.True(response.StatusCode == status, $"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}

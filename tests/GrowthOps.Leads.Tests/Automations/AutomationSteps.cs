using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Automations;

/// <summary>What the automation tests do through the API, checked as they go.</summary>
static class AutomationSteps
{
    public static async Task<Guid> CreateContact(this HttpClient client, object body)
    {
        var response = await client.Post("/api/leads/contacts", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>Moves the contact as a user would; returns the history entry's id.</summary>
    public static async Task<Guid> Transition(this HttpClient client, Guid contactId, string toState)
    {
        var response = await client.Post($"/api/leads/contacts/{contactId}/transitions", new { to_state = toState });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{toState}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> CreateAutomation(this HttpClient client, object body)
    {
        var response = await client.Post("/api/leads/automations", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    public static async Task<Guid> CreateAutomationId(this HttpClient client, object body) =>
        (await client.CreateAutomation(body)).GetProperty("id").GetGuid();

    public static async Task<JsonElement[]> Executions(this HttpClient client, Guid automationId)
    {
        var response = await client.GetAsync($"/api/leads/automations/{automationId}/executions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json()).GetProperty("items").EnumerateArray().ToArray();
    }

    /// <summary>Polls until the automation has recorded <paramref name="count"/> executions (newest first).</summary>
    public static Task<JsonElement[]> WaitForExecutions(this HttpClient client, Guid automationId, int count = 1) =>
        Eventually.Until(() => client.Executions(automationId), e => e.Length >= count, TimeSpan.FromSeconds(30),
            $"automation {automationId} records {count} execution(s)");

    public static async Task<JsonElement> Contact(this HttpClient client, Guid contactId) =>
        await (await client.GetAsync($"/api/leads/contacts/{contactId}")).Json();

    public static async Task<Guid> StateId(this HttpClient client, string name) =>
        (await (await client.GetAsync("/api/leads/states")).Json()).EnumerateArray()
        .Single(s => s.GetProperty("name").GetString() == name).GetProperty("id").GetGuid();
}

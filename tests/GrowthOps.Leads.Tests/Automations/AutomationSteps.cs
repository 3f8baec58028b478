using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Automations;

/// <summary>What the automation tests do through the API, checked as they go.</summary>
static class AutomationSteps
{
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

}

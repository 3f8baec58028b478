using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Insights;

/// <summary>Builds a tenant's history through the public API.</summary>
static class InsightsClient
{
    public static async Task<Guid> CreateContact(this HttpClient client, string email, string kind = "lead")
    {
        var response = await client.Post("/api/leads/contacts", new { email, kind });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    public static async Task Move(this HttpClient client, Guid contactId, params string[] states)
    {
        foreach (var state in states)
        {
            var response = await client.Post($"/api/leads/contacts/{contactId}/transitions", new { to_state = state });
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"moving to {state}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> Predict(this HttpClient client, Guid contactId)
    {
        var response = await client.PostAsync($"/api/leads/contacts/{contactId}/predictions", null);
        return (response.StatusCode, await response.Json());
    }

    public static async Task<JsonElement> GetJson(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    public static double Probability(this JsonElement prediction, string state) =>
        prediction.GetProperty("probabilities").EnumerateArray().Single(p => p.GetProperty("state").GetString() == state).GetProperty("probability")
            .GetDouble();
}

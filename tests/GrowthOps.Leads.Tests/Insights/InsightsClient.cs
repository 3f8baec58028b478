using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Insights;

/// <summary>Builds a tenant's history through the public API.</summary>
static class InsightsClient
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> Predict(this HttpClient client, Guid contactId)
    {
        var response = await client.PostAsync($"/api/leads/contacts/{contactId}/predictions", null);
        return (response.StatusCode, await response.Json());
    }

    public static double Probability(this JsonElement prediction, string state) =>
        prediction.GetProperty("probabilities").EnumerateArray().Single(p => p.GetProperty("state").GetString() == state).GetProperty("probability")
            .GetDouble();
}

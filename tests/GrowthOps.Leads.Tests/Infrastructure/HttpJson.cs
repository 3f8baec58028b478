using System.Net.Http.Json;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Infrastructure;

public static class HttpJson
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, LeadsApp.Json);

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, LeadsApp.Json);
}

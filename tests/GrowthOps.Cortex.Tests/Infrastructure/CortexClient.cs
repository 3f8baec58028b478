using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GrowthOps.Cortex.Tests.Infrastructure;

/// <summary>What tests do to the Cortex API, checked as they go (a failed step names its response).</summary>
public static class CortexClient
{
    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body, CortexApp.Json);

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string url, object body) => client.PatchAsJsonAsync(url, body, CortexApp.Json);

    /// <summary>The response's JSON (default when empty) once its status is <paramref name="status"/>; otherwise the test fails naming the call.</summary>
    public static async Task<JsonElement> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    public static async Task<JsonElement> GetJson(this HttpClient client, string url) => await (await client.GetAsync(url)).Expect(HttpStatusCode.OK);
}

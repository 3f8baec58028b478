using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GrowthOps.Testing;

/// <summary>A RabbitMQ virtual host of its own for one test class, through the management API; deleted afterwards.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    static readonly HttpClient Http = CreateClient();

    TestVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestVirtualHost> CreateAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..24];
        (await Http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await Http.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(TestEnvironment.RabbitUser)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new TestVirtualHost(name);
    }

    /// <summary>Messages ready in a queue, or null when the queue does not exist (yet).</summary>
    public async Task<long?> ReadyMessagesAsync(string queue)
    {
        var response = await Http.GetAsync($"api/queues/{Name}/{queue}");
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages_ready", out var ready) ? ready.GetInt64() : 0;
    }

    /// <summary>Messages in a queue that are not yet acknowledged (ready plus delivered and unacknowledged), or null when the queue does not exist (yet).</summary>
    public async Task<long?> PendingMessagesAsync(string queue)
    {
        var response = await Http.GetAsync($"api/queues/{Name}/{queue}");
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
    }

    /// <summary>Declares a durable queue with the given arguments (to make a service's own declaration of it fail, say).</summary>
    public async Task DeclareQueueAsync(string queue, IDictionary<string, object> arguments) =>
        (await Http.PutAsJsonAsync($"api/queues/{Name}/{queue}", new { durable = true, auto_delete = false, arguments })).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync() => await Http.DeleteAsync($"api/vhosts/{Name}");

    static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestEnvironment.RabbitManagement.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.RabbitUser}:{TestEnvironment.RabbitPassword}")));
        return client;
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// A fresh RabbitMQ virtual host (management API), deleted on dispose. Queue depths are read with a passive declare over AMQP,
/// which is exact, instead of the management API, whose statistics lag by seconds.
/// </summary>
public sealed class BenchVirtualHost : IAsyncDisposable
{
    static readonly HttpClient Http = CreateClient();

    IConnection? _connection;
    IChannel? _channel;

    BenchVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<BenchVirtualHost> CreateAsync(string tag, CancellationToken cancellationToken = default)
    {
        var vhost = new BenchVirtualHost($"bench-{tag}-{Guid.NewGuid():N}"[..28]);
        try
        {
            (await Http.PutAsync($"api/vhosts/{vhost.Name}", null, cancellationToken)).EnsureSuccessStatusCode();
            (await Http.PutAsJsonAsync($"api/permissions/{vhost.Name}/{Uri.EscapeDataString(BenchEnvironment.RabbitUser)}",
                new { configure = ".*", write = ".*", read = ".*" }, cancellationToken)).EnsureSuccessStatusCode();
        }
        catch
        {
            await vhost.DisposeAsync();
            throw;
        }

        return vhost;
    }

    async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
            return _channel;
        if (_connection is not { IsOpen: true })
        {
            if (_connection is not null)
                await _connection.DisposeAsync();
            _connection = await new ConnectionFactory
            {
                HostName = BenchEnvironment.RabbitHost,
                Port = BenchEnvironment.RabbitPort,
                UserName = BenchEnvironment.RabbitUser,
                Password = BenchEnvironment.RabbitPassword,
                VirtualHost = Name,
                ClientProvidedName = "growthops-bench-probe",
            }.CreateConnectionAsync(cancellationToken);
        }

        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return _channel;
    }

    /// <summary>Messages ready in <paramref name="queue"/> (not counting unacknowledged ones).</summary>
    public async Task<uint> ReadyAsync(string queue, CancellationToken cancellationToken = default)
    {
        var channel = await ChannelAsync(cancellationToken);
        var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        return ok.MessageCount;
    }

    /// <summary>A durable queue bound to a (MassTransit-style, durable fanout) message exchange: somewhere for published messages to go.</summary>
    public async Task DeclareSinkAsync(string queue, string exchange, CancellationToken cancellationToken = default)
    {
        var channel = await ChannelAsync(cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_channel is not null)
                await _channel.DisposeAsync();
            if (_connection is not null)
                await _connection.DisposeAsync();
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"closing the probe connection of {Name}: {e.Message}");
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (await Http.DeleteAsync($"api/vhosts/{Name}", timeout.Token)).EnsureSuccessStatusCode();
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"could not delete virtual host {Name}: {e.Message}");
        }
    }

    static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(BenchEnvironment.RabbitManagement.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BenchEnvironment.RabbitUser}:{BenchEnvironment.RabbitPassword}")));
        return client;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// Counts what reached the broker, below every inbox: a durable queue of its own bound to the exchanges of the events
/// Leads publishes and to the exchange of the lifecycle saga's endpoint (where the scheduler sends the dormancy timeouts).
/// A message id that arrives twice was relayed (or fired) twice. Copies the broker redelivers to the tap itself after a
/// reconnection, and MassTransit's own redeliveries of a failing message, are not the sender's duplicates and are not counted as such.
/// </summary>
public sealed class BrokerTap : IAsyncDisposable
{
    public const string Queue = "faults-broker-tap";

    readonly ConcurrentDictionary<Guid, Copies> _seen = new();
    readonly IConnection _connection;
    readonly IChannel _channel;

    BrokerTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public sealed record Copies(string MessageType, int Sent);

    public static async Task<BrokerTap> StartAsync(int port, string vhost, IEnumerable<string> exchanges)
    {
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1", Port = port, VirtualHost = vhost, UserName = OwnRabbit.User, Password = OwnRabbit.Password,
            AutomaticRecoveryEnabled = true, TopologyRecoveryEnabled = true, NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        var connection = await factory.CreateConnectionAsync("faults-broker-tap");
        var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var exchange in exchanges)
        {
            // As MassTransit declares them (durable fanout), so whoever comes first, the other's declaration matches.
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(Queue, exchange, "");
        }

        var tap = new BrokerTap(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            tap.Record(delivery);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
        return tap;
    }

    /// <summary>Every message id seen, with its type and how many times its sender put it on the broker.</summary>
    public IReadOnlyDictionary<Guid, Copies> Seen => new Dictionary<Guid, Copies>(_seen);

    /// <summary>Distinct messages seen of a type, by its exchange name (<c>GrowthOps.Contracts.Leads:ActivityRecorded</c>).</summary>
    public int Count(string exchange) => _seen.Values.Count(c => c.MessageType == $"urn:message:{exchange}");

    void Record(BasicDeliverEventArgs delivery)
    {
        using var envelope = JsonDocument.Parse(delivery.Body);
        var root = envelope.RootElement;
        if (!root.TryGetProperty("messageId", out var id) || !Guid.TryParse(id.GetString(), out var messageId))
            return;
        var type = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0
            ? types[0].GetString() ?? "?"
            : "?";
        var resent = delivery.Redelivered || IsMassTransitRedelivery(delivery, root);
        _seen.AddOrUpdate(messageId, _ => new Copies(type, 1), (_, c) => resent ? c : c with { Sent = c.Sent + 1 });
    }

    static bool IsMassTransitRedelivery(BasicDeliverEventArgs delivery, JsonElement envelope) =>
        delivery.BasicProperties.Headers?.ContainsKey("MT-Redelivery-Count") == true
        || (envelope.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object
            && headers.TryGetProperty("MT-Redelivery-Count", out _));

    /// <summary>
    /// The first messages of a queue (an <c>_error</c> queue), described by type, destination and fault, and put back: what
    /// a failing scenario prints so the lost message can be named.
    /// </summary>
    public async Task<IReadOnlyList<string>> PeekAsync(string queue, int max)
    {
        var seen = new List<string>();
        var tags = new List<ulong>();
        await using var channel = await _connection.CreateChannelAsync();
        for (var i = 0; i < max; i++)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false) is not { } message)
                break;
            tags.Add(message.DeliveryTag);
            var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
            string Header(string name) => headers.TryGetValue(name, out var v) && v is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : v?.ToString() ?? "";
            using var envelope = JsonDocument.Parse(message.Body);
            var root = envelope.RootElement;
            var type = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array ? types[0].GetString() : "?";
            var destination = root.TryGetProperty("destinationAddress", out var d) ? d.GetString() : "?";
            var inner = root.TryGetProperty("message", out var body) && body.TryGetProperty("destination", out var target) ? $" (for {target.GetString()})" : "";
            seen.Add($"{type} → {destination}{inner}: {Header("MT-Fault-ExceptionType")}: {Header("MT-Fault-Message")}");
        }

        foreach (var tag in tags)
            await channel.BasicNackAsync(tag, multiple: false, requeue: true);
        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

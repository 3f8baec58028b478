using MassTransit;

namespace GrowthOps.Messaging;

static class BusConnection
{
    /// <summary>
    /// Waits until the bus reaches the broker. Not until it is <see cref="BusHealthStatus.Healthy"/>: MassTransit reports
    /// <see cref="BusHealthStatus.Degraded"/> when one endpoint is unhappy, and even "not started" (unhealthy) when one
    /// endpoint faulted while starting; sends work in both cases, so waiting for health would let one queue that fails to
    /// declare stop every outbox row and timer of the service.
    /// </summary>
    public static async Task WaitUntilConnected(this IBusControl bus, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(20);
        while (!bus.IsConnected())
        {
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>Healthy, or at least one receive endpoint is consuming: they share the one connection to the broker.</summary>
    public static bool IsConnected(this IBusControl bus) => IsConnected(bus.CheckHealth());

    public static bool IsConnected(BusHealthResult health) =>
        health.Status == BusHealthStatus.Healthy
        || health.Endpoints.Values.Any(e => e.Status == BusHealthStatus.Healthy && !IsTemporary(e));

    /// <summary>Endpoints that are not healthy, by queue name.</summary>
    public static Dictionary<string, object> Unhappy(BusHealthResult health) => health.Endpoints.Values
        .Where(e => e.Status != BusHealthStatus.Healthy && !IsTemporary(e))
        .ToDictionary(e => e.InputAddress.AbsolutePath.Split('/').Last(), e => (object)(e.Description ?? e.Status.ToString()));

    // The bus's own response endpoint reports healthy before it has ever connected.
    static bool IsTemporary(EndpointHealthResult endpoint) => endpoint.InputAddress.Query.Contains("temporary=true", StringComparison.Ordinal);
}

using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrowthOps.Messaging;

/// <summary>
/// Healthy when the bus is connected to RabbitMQ and every receive endpoint is consuming. Degraded — still ready: API
/// requests, the relay and the scheduler work — when some endpoints are down, naming them; unhealthy when the broker is
/// unreachable.
/// </summary>
sealed class RabbitMqHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = bus.CheckHealth();
        if (result.Status == BusHealthStatus.Healthy)
            return Task.FromResult(HealthCheckResult.Healthy(result.Description));
        var unhappy = BusConnection.Unhappy(result);
        return Task.FromResult(BusConnection.IsConnected(result)
            ? HealthCheckResult.Degraded($"RabbitMQ: endpoints down: {string.Join(", ", unhappy.Keys)}", result.Exception, unhappy)
            : new HealthCheckResult(context.Registration.FailureStatus, $"RabbitMQ: {result.Description}", result.Exception, unhappy));
    }
}

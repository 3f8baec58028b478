using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrowthOps.Messaging;

/// <summary>
/// Healthy when the bus is connected to RabbitMQ and every receive endpoint is consuming. Degraded — still ready: API
/// requests, the relay and the scheduler work — when an endpoint of a started bus went down, naming it. Unhealthy while the
/// bus is starting (its endpoints are not all bound yet: a message published now could find no queue) or the broker is
/// unreachable, also naming the endpoints that are not up.
/// </summary>
sealed class RabbitMqHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = bus.CheckHealth();
        if (result.Status == BusHealthStatus.Healthy)
            return Task.FromResult(HealthCheckResult.Healthy(result.Description));
        var unhappy = BusConnection.Unhappy(result);
        return Task.FromResult(result.Status == BusHealthStatus.Degraded
            ? HealthCheckResult.Degraded($"RabbitMQ: endpoints down: {string.Join(", ", unhappy.Keys)}", result.Exception, unhappy)
            : new HealthCheckResult(context.Registration.FailureStatus, $"RabbitMQ: {result.Description}", result.Exception, unhappy));
    }
}

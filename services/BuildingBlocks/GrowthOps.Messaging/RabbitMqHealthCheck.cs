using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrowthOps.Messaging;

/// <summary>Ready when the bus holds a connection to RabbitMQ and its receive endpoints are consuming.</summary>
sealed class RabbitMqHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = bus.CheckHealth();
        return Task.FromResult(result.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy(result.Description)
            : new HealthCheckResult(context.Registration.FailureStatus, $"RabbitMQ: {result.Description}", result.Exception));
    }
}

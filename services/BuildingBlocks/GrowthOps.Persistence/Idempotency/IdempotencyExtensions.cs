using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Persistence.Idempotency;

public static class IdempotencyExtensions
{
    /// <summary>
    /// Makes the endpoint honour <c>Idempotency-Key</c> (see <see cref="IdempotentRequest"/>). Its handler must do its data
    /// access in the request's <see cref="UnitOfWork"/> and join it when it is already open
    /// (<see cref="UnitOfWork.InTransactionAsync{T}"/> does), so its effects and the stored response commit together.
    /// </summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.Contains(IdempotencyMetadata.Instance))
                return;
            endpoint.Metadata.Add(IdempotencyMetadata.Instance);
            // Around the whole endpoint, parameter binding included: the body is fingerprinted before the handler reads it.
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => IdempotentRequest.InvokeAsync(context, inner);
        });
        return builder;
    }

    internal static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<IdempotencyStore>();
        services.AddHostedService<IdempotencyCleanupService>();
        return services;
    }
}

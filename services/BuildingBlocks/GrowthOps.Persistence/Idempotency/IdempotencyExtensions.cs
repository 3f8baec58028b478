using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

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
            endpoint.Metadata.Add(new ProducesProblemAttribute(StatusCodes.Status409Conflict,
                "A request with the same Idempotency-Key is still running (Retry-After)."));
            endpoint.Metadata.Add(new ProducesProblemAttribute(StatusCodes.Status422UnprocessableEntity,
                "The Idempotency-Key was used for a different request."));
            // Around the whole endpoint, parameter binding included: the body is fingerprinted before the handler reads it.
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => IdempotentRequest.InvokeAsync(context, inner);
        });
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyHeaders.Key,
                In = ParameterLocation.Header,
                Description = IdempotencyMetadata.Instance.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
            });
            return Task.CompletedTask;
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

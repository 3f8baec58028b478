using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// A circuit breaker per external host (Polly): when most recent calls to a host fail (errors, timeouts, 5xx, 429), calls to
/// it fail fast for a while instead of each waiting out its timeout; the steps walk their retry schedule meanwhile. Per
/// process, as a breaker's state is a local judgement of the host's health.
/// </summary>
public sealed class HostCircuits(IOptions<CortexOptions> options)
{
    readonly ResiliencePipelineRegistry<string> _registry = new();

    public ResiliencePipeline<HttpResponseMessage> For(string host) =>
        _registry.GetOrAddPipeline<HttpResponseMessage>(host.ToLowerInvariant(), builder => builder.AddCircuitBreaker(
            new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.Value.CircuitFailureRatio,
                MinimumThroughput = options.Value.CircuitMinimumThroughput,
                SamplingDuration = options.Value.CircuitSamplingDuration,
                BreakDuration = options.Value.CircuitBreakDuration,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<OperationCanceledException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout),
            }));
}

using GrowthOps.Email.Data;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// The sending pipeline's loops: <see cref="SendingOptions.TransactionalWorkers"/> on lane 0 and
/// <see cref="SendingOptions.BroadcastWorkers"/> on lane 1, each finding the next tenant with due email, sending a batch of
/// it (<see cref="BatchSender"/>), and looking again at once while there is work (every <see cref="SendingOptions.PollInterval"/>
/// when there is none). Replicas share the work through SKIP LOCKED.
/// </summary>
public sealed class SendingWorkers(IServiceScopeFactory scopes, IOptions<SendingOptions> options, ILogger<SendingWorkers> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
            return Task.CompletedTask;
        var loops = Enumerable.Range(0, o.TransactionalWorkers).Select(_ => LoopAsync(0, stoppingToken))
            .Concat(Enumerable.Range(0, o.BroadcastWorkers).Select(_ => LoopAsync(1, stoppingToken)));
        return Task.WhenAll(loops);
    }

    async Task LoopAsync(short lane, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var looking = System.Diagnostics.Stopwatch.GetTimestamp();
                var due = await scope.ServiceProvider.GetRequiredService<SendingStore>().NextDueTenantAsync(lane, stoppingToken);
                SendingMetrics.Step("find", lane, looking);
                if (due is { } tenant)
                    sent = await scope.ServiceProvider.GetRequiredService<BatchSender>().SendAsync(tenant, lane, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database or the broker is away (a restart): the batch was rolled back; try again, less and less often.
                failures++;
                logger.LogWarning(e, "Sending on lane {Lane} failed (attempt {Failures}); retrying", lane, failures);
                await Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, 200 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken);
                continue;
            }
            if (sent == 0)
                await Delay(options.Value.PollInterval, stoppingToken);
        }
    }

    static Task Delay(TimeSpan delay, CancellationToken ct) => Task.Delay(delay, ct).ContinueWith(_ => { }, TaskScheduler.Default);
}

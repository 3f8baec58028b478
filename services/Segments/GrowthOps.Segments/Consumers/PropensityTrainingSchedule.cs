using GrowthOps.Messaging;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Declares the daily propensity retraining (<see cref="PredictiveOptions.TrainingCron"/>) with the durable scheduler when
/// the service starts, as Leads does for its AI score: keyed by its id, so every start of every replica upserts the same
/// schedule, which fires once per occurrence; through the outbox, so a broker that is not up yet only delays it. A process
/// that does not run the scheduler leaves it to one that does.
/// </summary>
public sealed class PropensityTrainingSchedule(
    IServiceScopeFactory scopes,
    MessagingSignals signals,
    IEndpointNameFormatter names,
    IOptions<PredictiveOptions> options,
    ILogger<PropensityTrainingSchedule> logger) : BackgroundService
{
    public const string ScheduleId = "segments-propensity-training";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (signals.LocalSchedulerQueue is not { } schedulerQueue)
            return;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
                await unitOfWork.BeginAsync(null, stoppingToken);
                try
                {
                    var scheduler = await scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri($"queue:{schedulerQueue}"));
                    await scheduler.ScheduleRecurringSend(new Uri($"queue:{names.Consumer<TrainPropensityConsumer>()}"),
                        new Daily(options.Value.TrainingCron), new TrainPropensity(null), stoppingToken);
                    await unitOfWork.CommitAsync(stoppingToken);
                }
                catch (Exception e)
                {
                    await unitOfWork.RollbackAsync(e);
                    throw;
                }

                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Declaring the propensity training schedule failed (attempt {Attempt}); will try again", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, attempt * 5)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    sealed class Daily : DefaultRecurringSchedule
    {
        public Daily(string cron)
        {
            CronExpression = cron;
            ScheduleId = PropensityTrainingSchedule.ScheduleId;
            ScheduleGroup = Extensions.ServiceName;
        }
    }
}

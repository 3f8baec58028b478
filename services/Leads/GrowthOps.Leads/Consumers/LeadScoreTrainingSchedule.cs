using GrowthOps.Messaging;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Declares the daily retraining (<see cref="LeadsOptions.ScoringTrainingCron"/>) with the durable scheduler when the service
/// starts. The schedule is keyed by its id, so every start of every replica upserts the same row, which fires once per
/// occurrence; it goes through the outbox, so a broker that is not up yet only delays it. A process that does not run the
/// scheduler leaves it to one that does.
/// </summary>
public sealed class LeadScoreTrainingSchedule(
    IServiceScopeFactory scopes,
    MessagingSignals signals,
    IEndpointNameFormatter names,
    IOptions<LeadsOptions> options,
    ILogger<LeadScoreTrainingSchedule> logger) : BackgroundService
{
    public const string ScheduleId = "leads-score-training";

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
                    await scheduler.ScheduleRecurringSend(new Uri($"queue:{names.Consumer<TrainLeadScoresConsumer>()}"),
                        new Daily(options.Value.ScoringTrainingCron), new TrainLeadScores(null), stoppingToken);
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
                logger.LogWarning(e, "Declaring the AI score training schedule failed (attempt {Attempt}); will try again", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, attempt * 5)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    sealed class Daily : DefaultRecurringSchedule
    {
        public Daily(string cron)
        {
            CronExpression = cron;
            ScheduleId = LeadScoreTrainingSchedule.ScheduleId;
            ScheduleGroup = Extensions.ServiceName;
        }
    }
}

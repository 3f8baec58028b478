using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Messaging.Scheduling;

/// <summary>
/// Declares a recurring send of <typeparamref name="TMessage"/> to <typeparamref name="TConsumer"/>'s queue with the durable
/// scheduler when the service starts (Leads' daily AI score training, Segments' daily propensity training). The schedule is
/// keyed by its id and group, so every start of every replica upserts the same row, which fires once per occurrence; it goes
/// through the outbox, so a broker that is not up yet only delays it. A process that does not run the scheduler leaves it to
/// one that does. A failed declaration is retried with a growing pause until it succeeds or the service stops.
/// </summary>
public abstract class RecurringScheduleDeclaration<TConsumer, TMessage>(
    IServiceScopeFactory scopes,
    MessagingSignals signals,
    IEndpointNameFormatter names,
    ILogger logger,
    string scheduleId,
    string scheduleGroup,
    string cronExpression,
    TMessage message) : BackgroundService
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class
{
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
                    await scheduler.ScheduleRecurringSend(new Uri($"queue:{names.Consumer<TConsumer>()}"),
                        new Recurring(scheduleId, scheduleGroup, cronExpression), message, stoppingToken);
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
                logger.LogWarning(e, "Declaring the recurring schedule {Group}/{Id} failed (attempt {Attempt}); will try again", scheduleGroup, scheduleId,
                    attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, attempt * 5)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    sealed class Recurring : DefaultRecurringSchedule
    {
        public Recurring(string id, string group, string cron)
        {
            CronExpression = cron;
            ScheduleId = id;
            ScheduleGroup = group;
        }
    }
}

using GrowthOps.Messaging;
using GrowthOps.Messaging.Scheduling;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Declares the daily retraining of every tenant's propensity model (<see cref="PredictiveOptions.TrainingCron"/>) with the
/// durable scheduler, as Leads does for its AI score.
/// </summary>
public sealed class PropensityTrainingSchedule(
    IServiceScopeFactory scopes,
    MessagingSignals signals,
    IEndpointNameFormatter names,
    IOptions<PredictiveOptions> options,
    ILogger<PropensityTrainingSchedule> logger)
    : RecurringScheduleDeclaration<TrainPropensityConsumer, TrainPropensity>(scopes, signals, names, logger, ScheduleId, Extensions.ServiceName,
        options.Value.TrainingCron, new TrainPropensity(null))
{
    public const string ScheduleId = "segments-propensity-training";
}

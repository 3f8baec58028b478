using GrowthOps.Messaging;
using GrowthOps.Messaging.Scheduling;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Consumers;

/// <summary>Declares the daily retraining of every tenant's AI score (<see cref="LeadsOptions.ScoringTrainingCron"/>) with the durable scheduler.</summary>
public sealed class LeadScoreTrainingSchedule(
    IServiceScopeFactory scopes,
    MessagingSignals signals,
    IEndpointNameFormatter names,
    IOptions<LeadsOptions> options,
    ILogger<LeadScoreTrainingSchedule> logger)
    : RecurringScheduleDeclaration<TrainLeadScoresConsumer, TrainLeadScores>(scopes, signals, names, logger, ScheduleId, Extensions.ServiceName,
        options.Value.ScoringTrainingCron, new TrainLeadScores(null))
{
    public const string ScheduleId = "leads-score-training";
}

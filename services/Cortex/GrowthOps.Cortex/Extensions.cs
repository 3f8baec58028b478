using Dapper;
using GrowthOps.Cortex.Apis;
using GrowthOps.Cortex.Domain.Sequences;
using GrowthOps.Messaging.Sagas;
using GrowthOps.Messaging;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Cortex;

public static class Extensions
{
    public const string ServiceName = "cortex";

    public static IHostApplicationBuilder AddCortex(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddPostgres(ServiceName, typeof(Extensions).Assembly);
        // Cortex:Walker false: a replica that watches and serves the API but executes no steps (the lanes' consumers left out).
        var walker = builder.Configuration.GetValue("Cortex:Walker", true);
        builder.AddMessaging(ServiceName, x =>
        {
            x.AddConsumers(type => walker || !typeof(Consumers.ExecuteStepConsumer).IsAssignableFrom(type) && !IsLaneDefinition(type),
                typeof(Extensions).Assembly);
            // The enrolment saga executes sequence steps: a replica without the walker leaves them to the others too.
            if (walker)
                x.AddSagaStateMachine<SequenceEnrollmentStateMachine, SequenceEnrollmentState>().PostgresRepository("cortex.lead_sequence_state");
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddWorkflows();
        builder.AddSequences();
        return builder;
    }

    static bool IsLaneDefinition(Type type) =>
        type.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(Consumers.LaneDefinition<>);

    public static WebApplication MapCortexApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/cortex");
        api.MapWorkflowsApi();
        api.MapRunsApi();
        api.MapAnalyticsApi();
        api.MapWebhookTriggerManagement();
        api.MapInboxApi();
        api.MapSequencesApi();
        app.MapWebhookTriggerReceiver();
        // The multi-touch sequences seed's own paths (/sequences, /leads/enroll-in-sequence, …), kept as compatibility routes.
        app.MapSequencesApi(compatibility: true);
        return app;
    }
}

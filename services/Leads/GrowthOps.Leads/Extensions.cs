using Dapper;
using GrowthOps.Leads.Apis;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.StateMachines;
using GrowthOps.Messaging.Sagas;
using GrowthOps.Messaging;
using GrowthOps.Persistence;
using GrowthOps.Contracts.Leads;
using GrowthOps.Messaging.Inbox;
using GrowthOps.ServiceDefaults.Secrets;
using MassTransit;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads;

public static class Extensions
{
    public const string ServiceName = "leads";

    public static IHostApplicationBuilder AddLeads(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<LeadsOptions>().BindConfiguration(LeadsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Integration secrets (HubSpot client secrets, automation webhook secrets) sealed at rest under Leads:SecretsKey.
        builder.Services.AddTenantSecretBox<LeadsOptions>($"{LeadsOptions.Section}:{nameof(LeadsOptions.SecretsKey)}", o => o.SecretsKey);
        builder.AddPostgres(ServiceName, typeof(Extensions).Assembly);
        builder.AddMessaging(ServiceName, x =>
        {
            x.AddConsumers(typeof(Extensions).Assembly);
            x.AddSagaStateMachine<LeadLifecycleStateMachine, LeadLifecycleState>().PostgresRepository("leads.lead_lifecycle_state");
        });

        builder.Services.AddSingleton<IInboxPrecheck<LeadLifecycleState, LeadStateChanged>, LeadLifecyclePrecheck>();
        builder.Services.AddSingleton<TenantDefaults>();
        builder.Services.AddScoped<LeadsTransaction>();
        builder.AddContacts();
        builder.AddStates();
        builder.AddSettings();
        builder.AddHubSpot();
        builder.AddAutomations();
        builder.AddInsights();
        builder.AddScoring();
        builder.AddDeals();
        builder.AddTasks();
        builder.AddNotes();
        builder.AddMerges();
        builder.AddOwners();
        return builder;
    }

    public static WebApplication MapLeadsApi(this WebApplication app)
    {
        // One body limit for every route (the activity batch raises its own); its metadata is what Kestrel and UseServiceDefaults hold to.
        var api = app.MapGroup("/api/leads").WithMetadata(new RequestSizeLimitAttribute(LeadsDefaults.BodyLimit));
        api.MapContactsApi();
        api.MapStatesApi();
        api.MapHubSpotApi();
        api.MapSettingsApi();
        api.MapInsightsApi();
        api.MapScoringApi();
        api.MapAutomationsApi();
        api.MapDealsApi();
        api.MapTasksApi();
        api.MapNotesApi();
        api.MapMergeApi();
        api.MapCommandsApi();
        api.MapOwnersApi();

        // Outside the group on purpose: HubSpot calls the URL configured in its app (/webhooks/hubspot) and the seeds'
        // clients call /api/webhook/hubspot and /api/synthex/leads/state; those paths are a contract and stay exactly as they are.
        app.MapHubSpotWebhooks();
        app.MapSynthexLeadsApi();
        return app;
    }
}

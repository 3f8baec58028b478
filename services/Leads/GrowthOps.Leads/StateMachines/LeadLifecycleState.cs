using MassTransit;

namespace GrowthOps.Leads.StateMachines;

/// <summary>One per contact: whether the lead is active, dormant or closed, and its pending dormancy timeout.</summary>
public sealed class LeadLifecycleState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }
    public Guid TenantId { get; set; }
    public DateTimeOffset? LastActivityAt { get; set; }
    public double DormancyPeriodSeconds { get; set; }
    public Guid? DormancyTimeoutTokenId { get; set; }
    public int TimesWentDormant { get; set; }
    public int TimesReactivated { get; set; }
}

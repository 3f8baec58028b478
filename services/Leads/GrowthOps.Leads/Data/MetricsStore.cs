using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>Aggregates over the tenant's contacts, state history, predictions and automation executions (D19 metrics).</summary>
public sealed class MetricsStore(UnitOfWork unitOfWork)
{

    /// <summary>All the tenant's states by position. Time in state comes from the stays that ended (rows leaving the state).</summary>
    public async Task<IReadOnlyList<StateMetricsRow>> StatesAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<StateMetricsRow>(unitOfWork.Command("""
            with exits as (
              select from_state_id as state_id, count(*) as n, avg(seconds_in_previous_state) as avg_seconds,
                     percentile_cont(0.5) within group (order by seconds_in_previous_state) as median_seconds
              from leads.lead_state_history where from_state_id is not null group by from_state_id),
            entries as (select to_state_id as state_id, count(*) as n from leads.lead_state_history group by to_state_id),
            current as (select state_id, count(*) as n from leads.contacts where state_id is not null group by state_id)
            select s.id as state_id, s.name as state, s.position, s.is_terminal, coalesce(c.n, 0) as contacts, coalesce(i.n, 0) as transitions_in,
                   coalesce(x.n, 0) as transitions_out, x.avg_seconds as avg_seconds_in_state, x.median_seconds as median_seconds_in_state
            from leads.lead_states s
            left join current c on c.state_id = s.id
            left join entries i on i.state_id = s.id
            left join exits x on x.state_id = s.id
            order by s.position, s.name
            """, null, ct))).ToList();

    /// <summary>Moves counted by (from, to), for conversion rates.</summary>
    public async Task<IReadOnlyDictionary<(Guid From, Guid To), long>> TransitionCountsAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid From, Guid To, long Count)>(unitOfWork.Command("""
            select from_state_id, to_state_id, count(*) from leads.lead_state_history where from_state_id is not null
            group by from_state_id, to_state_id
            """, null, ct))).ToDictionary(r => (r.From, r.To), r => r.Count);

    /// <summary>Won and lost are the contacts now in the states so named (as the state engine names them for LeadWon/LeadLost).</summary>
    public Task<TenantStatsRow> StatsAsync(DateTime since, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<TenantStatsRow>(unitOfWork.Command("""
            with contacts as (
              select count(*) as contacts, count(*) filter (where c.kind = 'lead') as leads, count(*) filter (where c.kind = 'customer') as customers,
                     count(*) filter (where lower(s.name) = 'won') as won, count(*) filter (where lower(s.name) = 'lost') as lost
              from leads.contacts c left join leads.lead_states s on s.tenant_id = c.tenant_id and s.id = c.state_id),
            history as (
              select count(*) filter (where occurred_at >= @since) as transitions_30d, count(*) as transitions_total from leads.lead_state_history),
            predictions as (
              select count(*) as predictions, count(correct) as predictions_resolved, count(*) filter (where correct) as predictions_correct
              from leads.lead_state_predictions),
            automations as (
              select count(*) as automation_executions, count(*) filter (where status = 'succeeded') as automations_succeeded,
                     count(*) filter (where status = 'failed') as automations_failed, count(*) filter (where status = 'skipped') as automations_skipped
              from leads.automation_executions)
            select c.contacts, c.leads, c.customers, c.won, c.lost, h.transitions_30d, h.transitions_total, p.predictions, p.predictions_resolved,
                   p.predictions_correct, a.automation_executions, a.automations_succeeded, a.automations_failed, a.automations_skipped
            from contacts c, history h, predictions p, automations a
            """, new { since }, ct));
}

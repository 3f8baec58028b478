using GrowthOps.Contracts.Leads;
using GrowthOps.Messaging.Inbox;
using Npgsql;

namespace GrowthOps.Leads.StateMachines;

/// <summary>
/// Most state changes are pipeline moves of an active lead, which the lifecycle ignores (<see cref="LeadLifecycleStateMachine"/>:
/// <c>Ignore(StateChanged, IsOpenState)</c> during Active). One read of the instance's state, without a transaction or a row
/// lock, tells; the inbox then acknowledges the message without a transaction, an inbox row or a saga write. Reading a
/// state that a concurrent event is changing answers as if this event had been handled first, an order the bus allows anyway.
/// </summary>
public sealed class LeadLifecyclePrecheck(NpgsqlDataSource dataSource) : IInboxPrecheck<LeadLifecycleState, LeadStateChanged>
{
    public async ValueTask<bool> MayHaveEffectsAsync(LeadStateChanged message, CancellationToken cancellationToken)
    {
        if (!LeadLifecycleStateMachine.IsOpen(message.ToState))
            return true;
        // The tenant is set for the implicit transaction of the batch only (the saga table is under row-level security).
        await using var batch = new NpgsqlBatch
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("select set_config('app.tenant_id', $1, true)") { Parameters = { new() { Value = message.TenantId.ToString() } } },
                new NpgsqlBatchCommand("select current_state from leads.lead_lifecycle_state where correlation_id = $1")
                {
                    Parameters = { new() { Value = message.ContactId } },
                },
            },
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        batch.Connection = connection;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var state = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        return state != nameof(LeadLifecycleStateMachine.Active);
    }
}

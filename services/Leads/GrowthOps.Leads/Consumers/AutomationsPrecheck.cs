using GrowthOps.Contracts.Leads;
using GrowthOps.Messaging.Inbox;
using Npgsql;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Most state changes trigger no automation: one statement (no transaction, no inbox row) tells, with the same matching
/// rule the runner uses (<c>leads.automation_matches</c>).
/// </summary>
public sealed class AutomationsPrecheck(NpgsqlDataSource dataSource) : IInboxPrecheck<LeadStateChangedConsumer, LeadStateChanged>
{
    public async ValueTask<bool> MayHaveEffectsAsync(LeadStateChanged message, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select leads.automations_may_run($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = message.TenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)message.FromStateId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = message.ToStateId });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }
}

using System.Collections.Concurrent;
using Dapper;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>
/// The eight default lead states and the default transitions exist for every tenant: created in the tenant's first
/// transaction (a row in <c>leads.tenants</c> marks it; concurrent first requests serialise on that row's key).
/// </summary>
public sealed class TenantDefaults
{
    public sealed record DefaultState(string Name, string Color, int Position, string Description, bool IsTerminal);

    public static readonly DefaultState[] States =
    [
        new(LeadStateNames.New, "gray", 1, "Newly captured lead", false),
        new(LeadStateNames.Contacted, "blue", 2, "Initial outreach made", false),
        new(LeadStateNames.Qualified, "green", 3, "Meets qualification criteria", false),
        new(LeadStateNames.Proposal, "yellow", 4, "Proposal sent", false),
        new(LeadStateNames.Negotiation, "orange", 5, "In active negotiation", false),
        new(LeadStateNames.Won, "emerald", 6, "Deal closed successfully", true),
        new(LeadStateNames.Lost, "red", 7, "Deal lost", true),
        new(LeadStateNames.Dormant, "slate", 8, "Inactive/unresponsive", false),
    ];

    /// <summary>(from, to); a null from means "from any state".</summary>
    public static readonly (string? From, string To)[] Transitions =
    [
        (LeadStateNames.New, LeadStateNames.Contacted), (LeadStateNames.Contacted, LeadStateNames.Qualified), (LeadStateNames.Qualified, LeadStateNames.Proposal), (LeadStateNames.Proposal, LeadStateNames.Negotiation),
        (LeadStateNames.Negotiation, LeadStateNames.Won), (null, LeadStateNames.Lost), (null, LeadStateNames.Dormant), (LeadStateNames.Dormant, LeadStateNames.Contacted),
    ];

    readonly ConcurrentDictionary<Guid, bool> _seeded = new();

    public async Task EnsureAsync(UnitOfWork unitOfWork, CancellationToken ct = default)
    {
        var tenantId = unitOfWork.TenantId ?? throw new InvalidOperationException("Lead data needs a tenant.");
        if (_seeded.ContainsKey(tenantId))
            return;

        var inserted = await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "insert into leads.tenants (tenant_id) values (@tenantId) on conflict do nothing", new { tenantId }, ct));
        if (inserted == 1)
        {
            var ids = States.ToDictionary(s => s.Name, _ => Guid.CreateVersion7());
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                insert into leads.lead_states (tenant_id, id, name, color, position, description, is_terminal, is_default)
                values (@tenantId, @Id, @Name, @Color, @Position, @Description, @IsTerminal, true)
                """, States.Select(s => new { tenantId, Id = ids[s.Name], s.Name, s.Color, s.Position, s.Description, s.IsTerminal }), ct));
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                insert into leads.lead_transitions (tenant_id, id, from_state_id, to_state_id, name)
                values (@tenantId, @Id, @From, @To, @Name)
                """, Transitions.Select(t => new
                {
                    tenantId, Id = Guid.CreateVersion7(), From = t.From is null ? (Guid?)null : ids[t.From], To = ids[t.To],
                    Name = $"{t.From ?? "any"} → {t.To}",
                }), ct));
        }

        // Remembered only once committed: a rolled-back first transaction must seed again.
        unitOfWork.AfterCommit(() => _seeded.TryAdd(tenantId, true));
    }
}

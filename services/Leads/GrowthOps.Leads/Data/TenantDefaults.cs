using System.Collections.Concurrent;
using Dapper;
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
        new("new", "gray", 1, "Newly captured lead", false),
        new("contacted", "blue", 2, "Initial outreach made", false),
        new("qualified", "green", 3, "Meets qualification criteria", false),
        new("proposal", "yellow", 4, "Proposal sent", false),
        new("negotiation", "orange", 5, "In active negotiation", false),
        new("won", "emerald", 6, "Deal closed successfully", true),
        new("lost", "red", 7, "Deal lost", true),
        new("dormant", "slate", 8, "Inactive/unresponsive", false),
    ];

    /// <summary>(from, to); a null from means "from any state".</summary>
    public static readonly (string? From, string To)[] Transitions =
    [
        ("new", "contacted"), ("contacted", "qualified"), ("qualified", "proposal"), ("proposal", "negotiation"),
        ("negotiation", "won"), (null, "lost"), (null, "dormant"), ("dormant", "contacted"),
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

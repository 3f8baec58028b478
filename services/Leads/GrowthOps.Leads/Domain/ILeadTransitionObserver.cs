using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Domain;

/// <summary>Runs inside the transaction of every state change (e.g. scoring the prediction that preceded it).</summary>
public interface ILeadTransitionObserver
{
    Task OnTransitionAsync(HistoryEntry entry, CancellationToken ct);
}

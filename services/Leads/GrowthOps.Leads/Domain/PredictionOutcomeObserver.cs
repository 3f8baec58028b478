using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Scores predictions as leads move: the contact's latest prediction, if unresolved and made from the state just left,
/// gets the state it actually went to and whether that was the one predicted. In the transition's transaction, so a
/// refused or rolled-back move scores nothing.
/// </summary>
public sealed class PredictionOutcomeObserver(PredictionsStore predictions) : ILeadTransitionObserver
{
    public Task OnTransitionAsync(HistoryEntry entry, CancellationToken ct)
    {
        if (entry.FromStateId is { } from)
            predictions.Resolve(entry.ContactId, from, entry.ToStateId, entry.OccurredAt);
        return Task.CompletedTask;
    }
}

using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Predicts a contact's next state with <see cref="NextStatePredictor"/> over the tenant's history and stores the answer,
/// which stands for <see cref="LeadsOptions.PredictionCacheDuration"/> while the contact stays in its state. In the
/// caller's transaction.
/// </summary>
public sealed class PredictionService(ContactsStore contacts, StatesStore states, PredictionsStore predictions, IOptions<LeadsOptions> options)
{
    public sealed record Outcome(StoredPrediction Prediction, bool Cached);

    public async Task<Outcome> PredictAsync(Guid contactId, CancellationToken ct)
    {
        // Locked so that concurrent requests for one contact compute (and store) one prediction, not several.
        var contact = await contacts.GetAsync(contactId, ct, forUpdate: true)
                      ?? throw new NotFoundException($"Contact {contactId} does not exist.");
        if (contact.StateId is not { } stateId || await states.GetAsync(stateId, ct) is not { } state)
            throw new RuleRefusedException("The contact has no lead state to predict from.");

        var now = DateTime.UtcNow;
        if (await predictions.FindStandingAsync(contactId, stateId, now, ct) is { } standing)
            return new Outcome(standing, Cached: true);

        var targets = await predictions.AllowedTargetsAsync(stateId, ct);
        if (targets.Count == 0)
            throw new RuleRefusedException($"No transition leads out of '{state.Name}', so there is nothing to predict.");

        var input = new NextStatePredictor.Input(
            new PredictionCandidate(state.Id, state.Name, state.Position),
            targets,
            await predictions.TransitionCountsFromAsync(stateId, ct),
            contact.StateEnteredAt is { } entered ? Math.Max(0, (now - entered).TotalDays) : 0,
            contact.LastInteractionAt is { } last ? Math.Max(0, (now - last).TotalDays) : null,
            await predictions.ActivitiesSinceAsync(contactId, now.AddDays(-30), ct));
        var result = NextStatePredictor.Default.Predict(input);

        var prediction = new StoredPrediction(Guid.CreateVersion7(), contactId, stateId, state.Name, result.Predicted.Id, result.Predicted.Name,
            result.Probabilities, result.Confidence, result.Features, NextStatePredictor.ModelName, now, now + options.Value.PredictionCacheDuration,
            null, null, null, null);
        await predictions.InsertAsync(prediction, ct);
        return new Outcome(prediction, Cached: false);
    }
}

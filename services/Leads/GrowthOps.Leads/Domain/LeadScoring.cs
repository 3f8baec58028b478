using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Consumers;
using GrowthOps.Leads.Data;
using GrowthOps.Modelling;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Trains a tenant's AI score on its own won/lost history (<see cref="LeadScoreModel"/>), stores the model and its measured
/// quality, and re-scores the tenant's contacts with it, a page per transaction, announcing each score that moved.
/// </summary>
public sealed class LeadScoring(ScoringStore store, ContactsStore contacts, IPublishEndpoint publish, IOptions<LeadsOptions> options)
{
    /// <summary>Contacts re-scored in one transaction (and announced in it).</summary>
    public const int RescorePage = 500;

    public async Task<ScoringModel> TrainAsync(CancellationToken ct)
    {
        var o = options.Value;
        var defaults = await store.DefaultsAsync(ct);
        var rows = await store.TrainingSetAsync(o.ScoringMaxTrainingContacts, ct);
        var outcome = LeadScoreModel.Train(rows.Select(r => new LabelledSample(r.Id, r.Features, r.Won)).ToList(), defaults.Weights,
            o.ScoringMinOutcomes);
        var model = new ScoringModel
        {
            Model = outcome.Model, Weights = outcome.Weights, FeatureNames = defaults.FeatureNames, CalibratedWeights = outcome.Calibrated,
            TrainingContacts = outcome.TrainingContacts, HeldOutContacts = outcome.HeldOutContacts, Won = outcome.Won, Lost = outcome.Lost,
            Auc = outcome.Auc, DefaultAuc = outcome.DefaultAuc, Reason = outcome.Reason,
        };
        await store.SaveAsync(model, ct);
        await publish.Publish(new RescoreContacts(contacts.TenantId, null, DateTimeOffset.UtcNow), ct);
        return model;
    }

    /// <summary>The tenant's model, or the defaults when it was never trained.</summary>
    public async Task<ScoringModel> CurrentAsync(CancellationToken ct)
    {
        if (await store.GetAsync(ct) is { } model)
            return model;
        var defaults = await store.DefaultsAsync(ct);
        return new ScoringModel { Model = LeadScoreModel.DefaultModel, Weights = defaults.Weights, FeatureNames = defaults.FeatureNames, Reason = "not trained yet" };
    }

    /// <summary>One page; the next is asked for through the outbox, in this transaction, until the last.</summary>
    public async Task RescorePageAsync(RescoreContacts request, CancellationToken ct)
    {
        var (changed, lastId, full) = await store.RescoreAsync(request.AfterId, RescorePage, ct);
        if (changed.Count > 0)
            foreach (var contact in await contacts.GetManyForUpdateAsync(changed, ct))
                await publish.Publish(new ContactUpdated(contacts.TenantId, contact.ToSnapshot(), ["ai_score"], DateTimeOffset.UtcNow), ct);
        if (full && lastId is not null)
            await publish.Publish(request with { AfterId = lastId }, ct);
    }
}

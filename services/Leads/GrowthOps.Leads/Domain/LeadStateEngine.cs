using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Moves a lead between states: checks the transition is allowed (and has notes when required), writes the history entry
/// with the time spent in the previous state, updates the contact and publishes <see cref="LeadStateChanged"/> (plus
/// <see cref="LeadWon"/>/<see cref="LeadLost"/>) — all in the caller's transaction.
/// </summary>
public sealed class LeadStateEngine(
    ContactsStore contacts,
    StatesStore states,
    LeadConfigCache configCache,
    UnitOfWork unitOfWork,
    HistoryStore history,
    IPublishEndpoint publish,
    IEnumerable<ILeadTransitionObserver> observers)
{
    public sealed record Request(Guid ContactId, string? ToState, Guid? TransitionId, string? Notes, string? TriggeredBy, string Source);

    public async Task<HistoryEntry> TransitionAsync(Request request, CancellationToken ct)
    {
        var (contact, configVersion) = await contacts.GetForTransitionAsync(request.ContactId, ct)
                                       ?? throw new NotFoundException($"Contact {request.ContactId} does not exist.");
        var config = await configCache.GetAsync(unitOfWork, states, configVersion, ct);

        LeadTransition? rule = null;
        LeadState? target = null;
        Guid targetId;
        if (request.TransitionId is { } transitionId)
        {
            rule = config.GetTransition(transitionId) ?? throw new NotFoundException($"Transition {transitionId} does not exist.");
            if (rule.FromStateId is { } from && from != contact.StateId)
                throw await NotAllowed(contact, $"Transition '{rule.Name}' starts from '{rule.FromState}', but the lead is in '{contact.StateName}'.", ct);
            targetId = rule.ToStateId;
        }
        else if (!string.IsNullOrWhiteSpace(request.ToState))
        {
            target = config.Find(request.ToState)
                     ?? throw new RuleRefusedException($"There is no lead state '{request.ToState}'.");
            targetId = target.Id;
        }
        else
        {
            throw new RuleRefusedException("Give to_state or transition_id.");
        }

        if (targetId == contact.StateId)
            throw new ConflictException($"The lead is already in '{contact.StateName}'.");

        rule ??= config.FindAllowed(contact.StateId, targetId);
        if (rule is null)
        {
            var targetName = target?.Name ?? config.Get(targetId)?.Name;
            throw await NotAllowed(contact, $"Moving from '{contact.StateName ?? "no state"}' to '{targetName}' is not an allowed transition.", ct);
        }

        if (rule.RequiresNotes && string.IsNullOrWhiteSpace(request.Notes))
            throw new RuleRefusedException($"The transition to '{rule.ToState}' requires notes.");

        var now = DateTime.UtcNow;
        var toState = target ?? config.Get(targetId) ?? throw new NotFoundException($"State {targetId} does not exist.");
        var entry = new HistoryEntry(Guid.CreateVersion7(), contact.Id, contact.StateId, contact.StateName, toState.Id, toState.Name, rule.Id,
            request.Notes, request.TriggeredBy, request.Source, contact.StateEnteredAt is { } entered ? (now - entered).TotalSeconds : null, now);
        contact.Version = await history.RecordTransitionAsync(entry, ct);
        contact.StateId = toState.Id;
        contact.StateName = toState.Name;
        contact.StateEnteredAt = now;
        contact.Updated = now;

        var snapshot = contact.ToSnapshot();
        var occurredAt = new DateTimeOffset(now);
        await publish.Publish(new LeadStateChanged(TenantOf(contact), contact.Id, entry.Id, entry.FromStateId, entry.FromState, toState.Id,
            toState.Name, toState.IsTerminal, rule.Id, request.Notes, request.TriggeredBy, request.Source, entry.SecondsInPreviousState, snapshot,
            occurredAt), ct);
        if (string.Equals(toState.Name, LeadStateNames.Won, StringComparison.OrdinalIgnoreCase))
            await publish.Publish(new LeadWon(TenantOf(contact), contact.Id, entry.Id, contact.Source, contact.Channel, snapshot, occurredAt), ct);
        else if (string.Equals(toState.Name, LeadStateNames.Lost, StringComparison.OrdinalIgnoreCase))
            await publish.Publish(new LeadLost(TenantOf(contact), contact.Id, entry.Id, request.Notes, snapshot, occurredAt), ct);

        foreach (var observer in observers)
            await observer.OnTransitionAsync(entry, ct);
        return entry;
    }

    Guid TenantOf(Contact _) => contacts.TenantId;

    async Task<ConflictException> NotAllowed(Contact contact, string detail, CancellationToken ct)
    {
        var allowed = await states.AllowedTargetsAsync(contact.StateId, ct);
        return new ConflictException(detail, new Dictionary<string, object?>
        {
            ["current_state"] = contact.StateName,
            ["allowed_targets"] = allowed.Select(s => new { id = s.Id, name = s.Name }).ToList(),
        });
    }
}

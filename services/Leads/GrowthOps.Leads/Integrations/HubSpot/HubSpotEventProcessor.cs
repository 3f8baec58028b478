using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Integrations.HubSpot;

/// <summary>
/// Applies a verified HubSpot delivery inside the tenant's transaction (the caller's): each event id is recorded first, so a
/// redelivered event is a duplicate with no effect; contact events upsert the directory, deal stage changes publish
/// <see cref="DealStageChanged"/> through the outbox. Either the whole delivery commits or none of it does, and HubSpot retries.
/// </summary>
public sealed class HubSpotEventProcessor(HubSpotStore store, ContactDirectory directory, ContactsStore contacts, IPublishEndpoint publish,
    ILogger<HubSpotEventProcessor> logger)
{
    public const string ContactIdAttribute = "hubspot_contact_id";

    /// <summary>HubSpot retries a failed delivery for about a day; event ids are remembered comfortably longer.</summary>
    public static readonly TimeSpan DedupWindow = TimeSpan.FromDays(7);

    public enum Outcome { Processed, Duplicate, Skipped, Ignored }

    /// <summary>The answer to HubSpot (and to the seeds' callers, who also get the deal and stage of a single stage change).</summary>
    public sealed record Summary(string Status, int Received, int Processed, int Duplicates, int Skipped, int Ignored)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? DealId { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? StageTo { get; init; }
    }

    /// <summary>HubSpot contact properties kept on the contact: fields of the directory, or attributes.</summary>
    static readonly Dictionary<string, string> ContactFieldsByProperty = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = "email", ["firstname"] = "first_name", ["lastname"] = "last_name", ["phone"] = "phone", ["company"] = "company",
    };

    static readonly HashSet<string> ContactAttributeProperties = new(StringComparer.OrdinalIgnoreCase) { "hs_lead_status", "lifecyclestage" };

    public async Task<Summary> ProcessAsync(IReadOnlyList<HubSpotEvent> events, CancellationToken ct)
    {
        var counts = new Dictionary<Outcome, int>();
        foreach (var e in events)
        {
            var outcome = await store.TryRecordEventAsync(e, ct) ? await ApplyAsync(e, ct) : Outcome.Duplicate;
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
        }

        await store.ForgetEventsAsync(DedupWindow, ct);
        var summary = new Summary("processed", events.Count, counts.GetValueOrDefault(Outcome.Processed), counts.GetValueOrDefault(Outcome.Duplicate),
            counts.GetValueOrDefault(Outcome.Skipped), counts.GetValueOrDefault(Outcome.Ignored));
        return events is [var single] && IsDealStage(single) && single.PropertyValue is { Length: > 0 } stage
            ? summary with { DealId = single.ObjectId?.ToString(CultureInfo.InvariantCulture), StageTo = stage }
            : summary;
    }

    static bool IsDealStage(HubSpotEvent e) => IsType(e, "deal.propertyChange", "deal.creation") && Is(e.PropertyName, "dealstage");

    static bool IsType(HubSpotEvent e, params string[] types) => types.Any(t => Is(e.SubscriptionType, t));

    static bool Is(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    async Task<Outcome> ApplyAsync(HubSpotEvent e, CancellationToken ct)
    {
        if (IsType(e, "contact.creation", "contact.propertyChange"))
        {
            try
            {
                return await ContactAsync(e, ct);
            }
            catch (RuleRefusedException refused)
            {
                // A contact's limits (attributes in all, an email or a phone kept) refuse it before anything is written: one
                // event that cannot apply must not fail the delivery, which HubSpot would retry for a day.
                return Skip(e, refused.Message);
            }
        }

        if (IsType(e, "deal.creation", "deal.propertyChange"))
            return await DealAsync(e, ct);
        if (IsType(e, "deal.associationChange", "contact.associationChange"))
            return await AssociationAsync(e, ct);
        return Outcome.Ignored;
    }

    async Task<Outcome> ContactAsync(HubSpotEvent e, CancellationToken ct)
    {
        if (e.ObjectId is not { } hubspotId)
            return Skip(e, "it has no objectId");
        var property = e.PropertyName;
        var field = property is null ? null : ContactFieldsByProperty.GetValueOrDefault(property);
        var attribute = property is not null && ContactAttributeProperties.Contains(property) ? property.ToLowerInvariant() : null;
        if (property is not null && field is null && attribute is null)
            return Outcome.Ignored;

        var value = string.IsNullOrWhiteSpace(e.PropertyValue) ? null : e.PropertyValue.Trim();
        var id = await store.FindContactAsync(hubspotId, ct);
        if (id is null)
        {
            // The directory is keyed by email: without one there is nothing to find or create the contact by. HubSpot sends
            // the email as its own property change, which creates the contact and links the HubSpot id.
            if (field != "email" || value is null)
                return Skip(e, "the HubSpot contact is not known here and the event carries no email");
            if (!TryFields(new() { ["email"] = value, ["attributes"] = new Dictionary<string, object?> { [ContactIdAttribute] = Id(hubspotId) } },
                    out var fields))
                return Skip(e, "the email is not valid");
            var upserted = await directory.UpsertAsync(fields, ct);
            await store.LinkContactAsync(hubspotId, upserted.Contact.Id, ct);
            return Outcome.Processed;
        }

        if (property is null)
            return Outcome.Processed; // contact.creation of a contact already linked: nothing to add.

        var patch = new Dictionary<string, object?>();
        if (field == "email")
        {
            // A contact keeps its email (the directory's key) when HubSpot clears it; a new email already used by another
            // contact would merge two people, which is a decision for a person, not a webhook.
            if (value is null)
                return Outcome.Ignored;
            if (await contacts.FindByEmailAsync(value, ct) is { } other && other.Id != id)
                return Skip(e, $"another contact ({other.Id}) already has the new email");
        }

        if (field is not null)
            patch[field] = value;
        else
            patch["attributes"] = new Dictionary<string, object?> { [attribute!] = value };
        if (!TryFields(patch, out var changes))
            return Skip(e, $"the value of '{property}' is not valid");
        await directory.PatchAsync(id.Value, changes, ct);
        return Outcome.Processed;
    }

    async Task<Outcome> DealAsync(HubSpotEvent e, CancellationToken ct)
    {
        if (e.ObjectId is not { } dealId)
            return Skip(e, "it has no objectId");
        var property = e.PropertyName?.ToLowerInvariant();
        if (property is not (null or "dealstage" or "amount"))
            return Outcome.Ignored;

        var at = e.OccurredAt.UtcDateTime;
        var value = string.IsNullOrWhiteSpace(e.PropertyValue) ? null : e.PropertyValue.Trim();
        decimal? amount = null;
        if (property == "dealstage" && value is null)
            return Skip(e, "the new stage is empty");
        if (property == "amount" && value is not null)
        {
            if (!decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
                return Skip(e, "the amount is not a number");
            amount = parsed;
        }

        var deal = await store.LockDealAsync(dealId, e.PortalId, ct);
        if (e.AssociatedObjectId is { } associatedContact && deal.HubspotContactId != associatedContact)
        {
            deal.HubspotContactId = associatedContact;
            deal.ContactId = null;
        }

        await ResolveContactAsync(deal, ct);
        var outcome = Outcome.Processed;
        DealStageChanged? changed = null;
        switch (property)
        {
            case "dealstage" when deal.StageAt > at:
                outcome = Outcome.Ignored; // An older change delivered after a newer one: the newer stage stands.
                break;
            case "dealstage":
                var from = deal.Stage;
                deal.Stage = value;
                deal.StageAt = at;
                if (!string.Equals(from, value, StringComparison.Ordinal))
                {
                    var contact = deal.ContactId is { } contactId ? await contacts.GetAsync(contactId, ct) : null;
                    changed = new DealStageChanged(contacts.TenantId, dealId.ToString(CultureInfo.InvariantCulture), e.PortalId, from, value!, deal.Amount,
                        contact?.Id, contact?.Email, e.EventId, e.OccurredAt);
                }

                break;
            case "amount" when deal.AmountAt > at:
                outcome = Outcome.Ignored;
                break;
            case "amount":
                deal.Amount = amount;
                deal.AmountAt = at;
                break;
        }

        await store.SaveDealAsync(deal, ct);
        if (changed is not null)
            await publish.Publish(changed, ct);
        return outcome;
    }

    /// <summary>Deal ↔ contact associations (HubSpot sends both directions; either sets the deal's contact).</summary>
    async Task<Outcome> AssociationAsync(HubSpotEvent e, CancellationToken ct)
    {
        var (dealId, contactId) = e.AssociationType?.ToUpperInvariant() switch
        {
            "DEAL_TO_CONTACT" => (e.FromObjectId, e.ToObjectId),
            "CONTACT_TO_DEAL" => (e.ToObjectId, e.FromObjectId),
            _ => (null, null),
        };
        if (dealId is null || contactId is null)
            return Outcome.Ignored;

        var deal = await store.LockDealAsync(dealId.Value, e.PortalId, ct);
        if (e.AssociationRemoved)
        {
            if (deal.HubspotContactId != contactId)
                return Outcome.Processed;
            deal.HubspotContactId = null;
        }
        else
        {
            deal.HubspotContactId = contactId;
        }

        deal.ContactId = null;
        await ResolveContactAsync(deal, ct);
        await store.SaveDealAsync(deal, ct);
        return Outcome.Processed;
    }

    /// <summary>Sets the deal's contact in the directory from its HubSpot contact, once that contact is known here.</summary>
    async Task ResolveContactAsync(HubSpotStore.Deal deal, CancellationToken ct) =>
        deal.ContactId ??= deal.HubspotContactId is { } hubspotId ? await store.FindContactAsync(hubspotId, ct) : null;

    Outcome Skip(HubSpotEvent e, string why)
    {
        logger.LogInformation("Skipped HubSpot event {EventId} ({SubscriptionType}, object {ObjectId}) of portal {PortalId}: {Reason}", e.EventId,
            e.SubscriptionType, e.ObjectId, e.PortalId, why);
        return Outcome.Skipped;
    }

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds contact fields through the directory's own parser, so webhook values meet the same rules as API input.</summary>
    static bool TryFields(Dictionary<string, object?> values, out ContactFields fields)
    {
        var errors = new Dictionary<string, string[]>();
        fields = ContactFields.Parse(JsonSerializer.SerializeToElement(values), errors);
        return errors.Count == 0;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Domain.Deals;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Integrations.HubSpot;

/// <summary>
/// Applies a verified HubSpot delivery inside the tenant's transaction (the caller's): each event id is recorded first, so a
/// redelivered event is a duplicate with no effect; contact events upsert the directory; deal events upsert the Leads deal with
/// that HubSpot id (<c>external_ids.hubspot</c>: name, amount, stage, close date, contact) through the deal book, source
/// <c>hubspot</c>, whose stage moves publish <see cref="DealStageChanged"/> (and DealWon/DealLost) through the outbox. Either the whole delivery commits or none of it does, and HubSpot retries.
/// </summary>
public sealed class HubSpotEventProcessor(HubSpotStore store, ContactDirectory directory, ContactsStore contacts, IPublishEndpoint publish,
    DealBook book, DealsStore leadsDeals, UnitOfWork unitOfWork, ILogger<HubSpotEventProcessor> logger)
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
        if (property is not (null or "dealstage" or "amount" or "dealname" or "closedate"))
            return Outcome.Ignored;

        var at = e.OccurredAt.UtcDateTime;
        var value = string.IsNullOrWhiteSpace(e.PropertyValue) ? null : e.PropertyValue.Trim();
        decimal? amount = null;
        DateTime? closeDate = null;
        if (property == "dealstage" && value is null)
            return Skip(e, "the new stage is empty");
        if (property == "dealname" && value is null)
            return Skip(e, "the new name is empty");
        if (property == "dealname" && value!.Length > DealFields.MaxName)
            return Skip(e, $"the name is longer than {DealFields.MaxName} characters");
        if (property == "amount" && value is not null)
        {
            if (!decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) || parsed < 0)
                return Skip(e, "the amount is not a number of zero or more");
            amount = parsed;
        }

        if (property == "closedate" && value is not null)
        {
            if (CloseDate(value) is not { } parsed)
                return Skip(e, "the close date is neither epoch milliseconds nor an ISO 8601 date");
            closeDate = parsed;
        }

        var deal = await store.LockDealAsync(dealId, e.PortalId, ct);
        if (e.AssociatedObjectId is { } associatedContact && deal.HubspotContactId != associatedContact)
        {
            deal.HubspotContactId = associatedContact;
            deal.ContactId = null;
        }

        await ResolveContactAsync(deal, ct);
        string? stageFrom = null;
        var stageMoved = false;
        switch (property)
        {
            case "dealstage" when deal.StageAt > at:
            case "amount" when deal.AmountAt > at:
            case "dealname" when deal.NameAt > at:
            case "closedate" when deal.CloseDateAt > at:
                return Outcome.Ignored; // An older change delivered after a newer one: the newer value stands.
            case "dealstage":
                stageFrom = deal.Stage;
                stageMoved = !string.Equals(stageFrom, value, StringComparison.Ordinal);
                deal.Stage = value;
                deal.StageAt = at;
                break;
            case "amount":
                deal.Amount = amount;
                deal.AmountAt = at;
                break;
            case "dealname":
                deal.Name = value;
                deal.NameAt = at;
                break;
            case "closedate":
                deal.CloseDate = closeDate;
                deal.CloseDateAt = at;
                break;
        }

        await store.SaveDealAsync(deal, ct);
        await KeepLeadsDealAsync(deal, e, property, stageMoved, stageFrom, ct);
        return Outcome.Processed;
    }

    const string HubSpotSource = "hubspot";

    /// <summary>
    /// The Leads deal of the HubSpot deal, created on its first event (with all that is known of it) or changed by this event's
    /// property, through the deal book (source <c>hubspot</c>). A stage that no stage of the deal's pipeline matches (a custom
    /// HubSpot stage) leaves the Leads deal where it is, and HubSpot's move is still published with HubSpot's stage. A value the
    /// deal book refuses (more decimals than the currency has) is logged and the rest of the delivery stands: one event must not
    /// fail a delivery, which HubSpot would retry for a day.
    /// </summary>
    async Task KeepLeadsDealAsync(HubSpotStore.Deal row, HubSpotEvent e, string? property, bool stageMoved, string? stageFrom, CancellationToken ct)
    {
        var external = Id(row.DealId);
        var origin = new DealBook.Origin(e.PortalId, e.EventId, external);
        var triggeredBy = $"hubspot:{e.PortalId}";
        var pipelines = await book.PipelinesAsync(ct);
        await unitOfWork.SavepointAsync("hubspot_deal", ct);
        try
        {
            bool published;
            Deal kept;
            if (await leadsDeals.FindByExternalIdAsync(HubSpotSource, external, ct, forUpdate: true) is not { } existing)
            {
                var pipeline = pipelines.First(p => p.IsDefault);
                var stage = row.Stage is null ? null : DealBook.MatchStage(pipeline, row.Stage);
                var draft = new DealBook.Draft(row.Name ?? $"HubSpot deal {external}", row.Amount, DealFields.DefaultCurrency, pipeline.Id, stage?.Key, null,
                    row.CloseDate is { } d ? DateOnly.FromDateTime(d) : null, HubSpotSource, null, null,
                    new Dictionary<string, string> { [HubSpotSource] = external }, row.ContactId is { } c ? [c] : []);
                kept = await book.CreateAsync(draft, HubSpotSource, triggeredBy, ct, origin);
                published = stage is not null;
            }
            else
            {
                var pipeline = pipelines.Single(p => p.Id == existing.PipelineId);
                var stage = property == "dealstage" && stageMoved ? DealBook.MatchStage(pipeline, row.Stage!) : null;
                var changes = DealBook.Changes.None with
                {
                    Amount = property == "amount" ? new(row.Amount) : default,
                    Name = property == "dealname" ? new(row.Name) : default,
                    ExpectedCloseDate = property == "closedate" ? new(row.CloseDate is { } d ? DateOnly.FromDateTime(d) : null) : default,
                    Stage = stage is not null ? new(stage.Key) : default,
                    ContactIds = row.ContactId is { } c && !existing.ContactIds.Contains(c) ? new([.. existing.ContactIds, c]) : default,
                };
                kept = await book.ChangeAsync(existing.Id, changes, HubSpotSource, triggeredBy, ct, origin);
                // A stage it is in already (moved in Leads first) is no move: nothing to announce.
                published = stage is not null;
            }

            await unitOfWork.ReleaseSavepointAsync("hubspot_deal", ct);
            if (stageMoved && !published)
            {
                var contact = row.ContactId is { } contactId ? await contacts.GetAsync(contactId, ct) : null;
                await publish.Publish(new DealStageChanged(contacts.TenantId, kept.Id.ToString(), e.PortalId, stageFrom, row.Stage!, row.Amount,
                    contact?.Id, contact?.Email, e.EventId, e.OccurredAt, HubSpotSource, kept.Currency, kept.PipelineId, kept.ContactIds, triggeredBy,
                    external), ct);
            }
        }
        catch (RuleRefusedException refused)
        {
            await unitOfWork.RollbackToSavepointAsync("hubspot_deal", refused, ct);
            logger.LogWarning("HubSpot deal {DealId} of portal {PortalId}: event {EventId} not applied to its Leads deal: {Reason}", external, e.PortalId,
                e.EventId, refused.Message);
        }
    }

    /// <summary>HubSpot's date properties: epoch milliseconds (midnight UTC of the day), or an ISO 8601 date as some apps send.</summary>
    static DateTime? CloseDate(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? ms is > -62135596800000 and < 253402300800000 ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.Date : null
            : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.UtcDateTime.Date : null;

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
        // The contact joins the Leads deal's contacts (a removal in HubSpot leaves it: a person decides that here).
        await KeepLeadsDealAsync(deal, e, null, false, null, ct);
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

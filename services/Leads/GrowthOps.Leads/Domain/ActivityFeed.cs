using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.Validation;
using MassTransit;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// The seeds' <c>trackEvent</c>: stores activities, creates contacts for new emails, moves <c>last_interaction_at</c> and
/// publishes <see cref="ActivityRecorded"/>. A batch is validated whole before anything is written.
/// </summary>
public sealed class ActivityFeed(ContactsStore contacts, ContactDirectory directory, ActivitiesStore activities, IPublishEndpoint publish)
{
    public sealed record Input(string? Type, string? ContactEmail, Guid? ContactId, JsonElement? Metadata, DateTimeOffset? OccurredAt);

    public sealed record Recorded(Activity Activity, string? ContactEmail, bool ContactCreated);

    public static Dictionary<string, string[]> Validate(IReadOnlyList<Input> inputs, bool batch)
    {
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var prefix = batch ? $"activities[{i}]." : "";
            var input = inputs[i];
            if (string.IsNullOrWhiteSpace(input.Type))
                errors[prefix + "type"] = [$"is required (up to {LeadsDefaults.MaxActivityType} characters)"];
            if (input.ContactId is null && string.IsNullOrWhiteSpace(input.ContactEmail))
                errors[prefix + "contact_email"] = ["give contact_email or contact_id"];
            else if (input.ContactId is null && !EmailAddress.TryParse(input.ContactEmail, out _, out var problem))
                errors[prefix + "contact_email"] = [problem];

            if (input.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
                errors[prefix + "metadata"] = ["must be an object"];
            else if (input.Metadata is { } metadata && JsonNumbers.FirstOutOfRange(metadata, prefix + "metadata") is { } where)
                errors[where] = [JsonNumbers.OutOfRange];
            if (input.OccurredAt is { } at && (at < LeadsDefaults.EarliestActivity || at > DateTimeOffset.UtcNow + LeadsDefaults.ActivityClockSkew))
                errors[prefix + "occurred_at"] = [$"must be between {LeadsDefaults.EarliestActivity:yyyy-MM-dd} and {LeadsDefaults.ActivityClockSkew.TotalHours:0} hours from now"];
        }

        return errors;
    }

    /// <remarks>
    /// A batch of any size costs the same few round trips: the named contacts are read (locked) in one, the activities are
    /// inserted and their contacts' interaction time, engagement and AI score moved in one more (see
    /// <see cref="ActivitiesStore.RecordAsync"/>); only new emails cost one each. A contact whose score moved is announced
    /// (<see cref="ContactUpdated"/> with <c>ai_score</c>), a new one once, with its score after its activities.
    /// </remarks>
    public async Task<IReadOnlyList<Recorded>> RecordAsync(IReadOnlyList<Input> inputs, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var ids = inputs.Where(i => i.ContactId is not null).Select(i => i.ContactId!.Value).Distinct().ToList();
        var byId = await contacts.GetManyForUpdateAsync(ids, ct);
        var known = byId.ToDictionary(c => c.Id);
        // An id a merge made a tombstone stands for its survivor: the activity lands there.
        if (ids.Where(id => !known.ContainsKey(id)).ToList() is { Count: > 0 } absent
            && await contacts.SurvivorsAsync(absent, ct) is { Count: > 0 } survivors)
        {
            foreach (var survivor in await contacts.GetManyForUpdateAsync(survivors.Values.Distinct().Where(id => !known.ContainsKey(id)).ToList(), ct))
                known[survivor.Id] = survivor;
            foreach (var (duplicate, survivor) in survivors)
                if (known.TryGetValue(survivor, out var contact))
                    known[duplicate] = contact;
        }

        var missing = inputs.Select((input, index) => (input, index)).Where(x => x.input.ContactId is { } id && !known.ContainsKey(id)).ToList();
        if (missing.Count > 0)
            throw inputs.Count == 1
                ? new NotFoundException($"Contact {missing[0].input.ContactId} does not exist.")
                : new RuleRefusedException("Some activities name contacts that do not exist; nothing was recorded.",
                    new Dictionary<string, object?> { ["missing"] = missing.Select(m => new { index = m.index, contact_id = m.input.ContactId }).ToList() });

        // One upsert per distinct email (in a fixed order, so concurrent batches lock shared contacts in the same order): it
        // creates the new contacts, which are announced below once their activities are in.
        var byEmail = new Dictionary<string, (Contact Contact, bool Created)>();
        foreach (var group in inputs.Where(i => i.ContactId is null).GroupBy(i => Contact.Normalize(i.ContactEmail)!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var upserted = await directory.UpsertAsync(new ContactFields { Email = new Optional<string?>(group.First().ContactEmail!.Trim()) }, ct,
                announce: false);
            byEmail[group.Key] = (upserted.Contact, upserted.Created);
            known[upserted.Contact.Id] = upserted.Contact;
        }

        var recorded = inputs.Select(i =>
        {
            var contact = i.ContactId is { } id ? known[id] : byEmail[Contact.Normalize(i.ContactEmail)!].Contact;
            var created = i.ContactId is null && byEmail[Contact.Normalize(i.ContactEmail)!].Created;
            return new Recorded(new Activity
            {
                Id = Guid.CreateVersion7(),
                ContactId = contact.Id,
                Type = i.Type!.Trim(),
                MetadataJson = i.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : "{}",
                OccurredAt = (i.OccurredAt ?? now).UtcDateTime,
                Created = now,
            }, contact.Email, created);
        }).ToList();

        var createdIds = recorded.Where(r => r.ContactCreated).Select(r => r.Activity.ContactId).ToHashSet();
        foreach (var touched in await activities.RecordAsync(recorded.Select(r => r.Activity).ToList(), ct))
        {
            var contact = known[touched.Id];
            var before = contact.Copy();
            touched.ApplyTo(contact);
            if (createdIds.Contains(contact.Id))
                await directory.AnnounceCreatedAsync(contact, ct);
            else if (contact.AiScore != before.AiScore)
                await publish.Publish(new ContactUpdated(contacts.TenantId, contact.ToSnapshot(),
                    contact.LastInteractionAt == before.LastInteractionAt ? ["ai_score"] : ["ai_score", "last_interaction_at"], DateTimeOffset.UtcNow), ct);
        }

        foreach (var r in recorded)
            await publish.Publish(new ActivityRecorded(contacts.TenantId, r.Activity.Id, r.Activity.ContactId, r.ContactEmail, r.Activity.Type,
                JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(r.Activity.MetadataJson),
                new DateTimeOffset(r.Activity.OccurredAt, TimeSpan.Zero)), ct);
        return recorded;
    }
}

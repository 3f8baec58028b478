using System.Text.Encodings.Web;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Writes to the directory and publishes what changed (<see cref="ContactCreated"/>, <see cref="ContactUpdated"/>, tags…)
/// through the outbox in the same transaction. One contact per normalised email per tenant: creating an existing email
/// updates that contact.
/// </summary>
public sealed class ContactDirectory(ContactsStore contacts, StatesStore states, IPublishEndpoint publish)
{
    public sealed record Upserted(Contact Contact, bool Created);

    /// <param name="announce">
    /// False when the caller writes more to a new contact in its transaction and announces it itself, once, with
    /// <see cref="AnnounceCreatedAsync"/> (the activity feed, whose activities move the new contact's engagement and score).
    /// </param>
    public async Task<Upserted> UpsertAsync(ContactFields fields, CancellationToken ct, bool announce = true)
    {
        var email = fields.Email.Or(null);
        if (email is not null && await contacts.FindByEmailAsync(email, ct, forUpdate: true) is { } existing)
            return new Upserted(await ApplyAsync(existing, OnFoundContact(existing, fields, email), merge: true, ct), false);

        var now = DateTime.UtcNow;
        var initial = await states.FindAsync(LeadStateNames.New, ct);
        var contact = new Contact
        {
            Id = Guid.CreateVersion7(),
            Created = now,
            Updated = now,
            StateId = initial?.Id,
            StateName = initial?.Name,
            StateEnteredAt = initial is null ? null : now,
        };
        Apply(contact, fields, merge: false);
        if (!await contacts.TryInsertAsync(contact, ct))
        {
            // Another request created this email between our look and our insert: update that one instead.
            var winner = await contacts.FindByEmailAsync(email!, ct, forUpdate: true)
                         ?? throw new InvalidOperationException("Contact insert conflicted but no contact has the email.");
            return new Upserted(await ApplyAsync(winner, OnFoundContact(winner, fields, email!), merge: true, ct), false);
        }

        if (announce)
            await AnnounceCreatedAsync(contact, ct);
        return new Upserted(contact, true);
    }

    /// <summary>An upsert that found the contact by one of its secondary emails leaves its primary email as it is.</summary>
    static ContactFields OnFoundContact(Contact found, ContactFields fields, string email)
    {
        if (string.Equals(Contact.Normalize(found.Email), Contact.Normalize(email), StringComparison.Ordinal))
            return fields;
        var kept = fields.Copy();
        kept.Email = default;
        return kept;
    }

    /// <summary>
    /// A contact that is not there: 404, or, for a merged duplicate's id, 409 naming the survivor (a write goes to the survivor,
    /// not to the tombstone).
    /// </summary>
    public async Task<Exception> MissingAsync(Guid id, CancellationToken ct) =>
        await contacts.MergedIntoAsync(id, ct) is { } survivor
            ? new ConflictException($"Contact {id} was merged into {survivor}; write to the survivor.",
                new Dictionary<string, object?> { ["survivor_id"] = survivor })
            : new NotFoundException($"Contact {id} does not exist.");

    public Task AnnounceCreatedAsync(Contact contact, CancellationToken ct) =>
        publish.Publish(new ContactCreated(contacts.TenantId, contact.ToSnapshot(), DateTimeOffset.UtcNow), ct);

    /// <summary>PATCH: present fields replace (null clears), attributes merge key by key (a null value removes the key).</summary>
    public async Task<Contact> PatchAsync(Guid id, ContactFields fields, CancellationToken ct)
    {
        var contact = await contacts.GetAsync(id, ct, forUpdate: true) ?? throw await MissingAsync(id, ct);
        if (fields.Email is { HasValue: true, Value: { } email } && !string.Equals(Contact.Normalize(email), Contact.Normalize(contact.Email), StringComparison.Ordinal))
        {
            if (await contacts.FindByEmailAsync(email, ct) is { } other && other.Id != id)
                throw new ConflictException($"Another contact ({other.Id}) already has the email {email}.");
            // One of its own secondary emails becomes the primary one, and the primary one a secondary one (nothing is lost).
            if (contact.SecondaryEmails.Any(e => string.Equals(Contact.Normalize(e), Contact.Normalize(email), StringComparison.Ordinal)))
                await contacts.SwapPrimaryEmailAsync(contact, email, ct);
        }

        return await ApplyAsync(contact, fields, merge: false, ct);
    }

    async Task<Contact> ApplyAsync(Contact contact, ContactFields fields, bool merge, CancellationToken ct)
    {
        var before = contact.Copy();
        Apply(contact, fields, merge);
        CheckLimits(before, contact);
        var changed = contact.ChangedSince(before);
        if (changed.Count == 0)
            return contact;

        await contacts.UpdateAsync(contact, ct);
        if (contact.AiScore != before.AiScore)
            changed.Add("ai_score");
        await publish.Publish(new ContactUpdated(contacts.TenantId, contact.ToSnapshot(), changed, DateTimeOffset.UtcNow), ct);
        foreach (var tag in contact.Tags.Except(before.Tags))
            await publish.Publish(new TagAdded(contacts.TenantId, contact.Id, tag, contact.ToSnapshot(), DateTimeOffset.UtcNow), ct);
        foreach (var tag in before.Tags.Except(contact.Tags))
            await publish.Publish(new TagRemoved(contacts.TenantId, contact.Id, tag, contact.ToSnapshot(), DateTimeOffset.UtcNow), ct);
        return contact;
    }

    /// <summary>
    /// What a contact holds in all, once a change has been applied: a request is held to its own limits before, but tags and
    /// attributes add up over requests (an upsert merges them, PATCH merges attributes). Refused only when the change grows
    /// what is already over a limit, so that a contact stored before the limits can still be edited; likewise a contact
    /// keeps an email or a phone (see <see cref="ContactFields.RequireIdentity"/>).
    /// </summary>
    static void CheckLimits(Contact before, Contact after)
    {
        static RuleRefusedException Refused(string detail, string field, int limit) =>
            new(detail, new Dictionary<string, object?> { ["field"] = field, ["limit"] = limit });

        if (after.Tags.Length > LeadsDefaults.MaxTags && after.Tags.Length > before.Tags.Length)
            throw Refused($"A contact has at most {LeadsDefaults.MaxTags} tags; remove some first.", "tags", LeadsDefaults.MaxTags);
        if (after.AttributesJson != before.AttributesJson)
        {
            var attributes = after.Attributes;
            if (attributes.Count > LeadsDefaults.MaxAttributes && attributes.Count > before.Attributes.Count)
                throw Refused($"A contact has at most {LeadsDefaults.MaxAttributes} attributes; remove some first (null removes one).", "attributes",
                    LeadsDefaults.MaxAttributes);
            if (SizeOf(attributes) > LeadsDefaults.MaxAttributesBytes && SizeOf(attributes) > SizeOf(before.Attributes))
                throw Refused($"A contact's attributes take at most {LeadsDefaults.MaxAttributesBytes} bytes of JSON; remove some first (null removes one).",
                    "attributes", LeadsDefaults.MaxAttributesBytes);
        }

        if (after.Email is null && after.Phone is null && (before.Email is not null || before.Phone is not null))
            throw new RuleRefusedException("A contact keeps an email or a phone: set one before clearing the other.",
                new Dictionary<string, object?> { ["field"] = "email" });
    }

    /// <summary>Attributes measured as a request sends them at the least (compact, non-ASCII unescaped), so a request within its limit fits.</summary>
    static int SizeOf(Dictionary<string, JsonElement> attributes) => JsonSerializer.SerializeToUtf8Bytes(attributes, CompactJson).Length;

    static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Copies fields onto the contact. Merging (an upsert of an existing email) never clears what is stored.</summary>
    static void Apply(Contact c, ContactFields f, bool merge)
    {
        static T Pick<T>(Optional<T> field, T current, bool merge) => !field.HasValue || (merge && field.Value is null) ? current : field.Value;

        var email = Pick(f.Email, c.Email, merge);
        // A verification holds for an address: another address is unverified until a verifier says otherwise.
        if (!string.Equals(Contact.Normalize(email), Contact.Normalize(c.Email), StringComparison.Ordinal))
            c.EmailVerified = false;
        c.Email = email;
        c.EmailVerified = Pick(f.EmailVerified, c.EmailVerified, true) ?? false;
        c.Kind = Pick(f.Kind, c.Kind, true) ?? "lead";
        c.FirstName = Pick(f.FirstName, c.FirstName, merge);
        c.LastName = Pick(f.LastName, c.LastName, merge);
        c.Phone = Pick(f.Phone, c.Phone, merge);
        c.Company = Pick(f.Company, c.Company, merge);
        c.Source = Pick(f.Source, c.Source, merge);
        c.Channel = Pick(f.Channel, c.Channel, merge);
        c.OwnerId = Pick(f.OwnerId, c.OwnerId, merge);
        c.Score = Pick(f.Score, c.Score, true) ?? 0;
        c.Timezone = Pick(f.Timezone, c.Timezone, merge);
        var consent = Pick(f.MarketingConsent, c.MarketingConsent, true) ?? false;
        if (consent != c.MarketingConsent)
            c.ConsentAt = DateTime.UtcNow;
        c.MarketingConsent = consent;

        if (f.Attributes.HasValue)
        {
            if (f.Attributes.Value is null)
            {
                if (!merge)
                    c.Attributes = [];
            }
            else
            {
                var attributes = c.Attributes;
                foreach (var (key, value) in f.Attributes.Value)
                {
                    if (value.ValueKind == JsonValueKind.Null)
                        attributes.Remove(key);
                    else
                        attributes[key] = value;
                }

                c.Attributes = attributes;
            }
        }

        if (f.Tags is { HasValue: true, Value: var tags })
            c.Tags = merge ? c.Tags.Union(tags ?? []).ToArray() : (tags ?? []);
    }

    public async Task<Contact> AddTagAsync(Guid id, string tag, CancellationToken ct) =>
        await ChangeTagsAsync(id, c => c.Tags.Contains(tag) ? c.Tags : [.. c.Tags, tag], ct);

    public async Task<Contact> RemoveTagAsync(Guid id, string tag, CancellationToken ct) =>
        await ChangeTagsAsync(id, c => c.Tags.Where(t => t != tag).ToArray(), ct);

    async Task<Contact> ChangeTagsAsync(Guid id, Func<Contact, string[]> change, CancellationToken ct)
    {
        var contact = await contacts.GetAsync(id, ct, forUpdate: true) ?? throw await MissingAsync(id, ct);
        var fields = new ContactFields { Tags = new Optional<string[]?>(change(contact)) };
        return await ApplyAsync(contact, fields, merge: false, ct);
    }

    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        var contact = await contacts.GetAsync(id, ct, forUpdate: true) ?? throw await MissingAsync(id, ct);
        await contacts.DeleteAsync(id, ct);
        await publish.Publish(new ContactDeleted(contacts.TenantId, id, contact.Email, DateTimeOffset.UtcNow), ct);
    }
}

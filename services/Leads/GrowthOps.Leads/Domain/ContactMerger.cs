using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Identity stitching: merges a duplicate contact into a survivor in one transaction. Everything of the duplicate's moves
/// (<see cref="MergesStore.MoveAsync"/>), its emails become the survivor's secondary ones, and its id becomes a tombstone that
/// points to the survivor. Fields are merged by rule (<see cref="Fields"/>), or as the request chooses field by field.
/// </summary>
public sealed class ContactMerger(ContactsStore contacts, MergesStore merges, IPublishEndpoint publish)
{
    /// <summary>The fields a request may choose ("survivor" or "duplicate"); without a choice each follows its stated rule.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["email"] = "the survivor's; the duplicate's when the survivor has none (the other becomes a secondary email either way)",
        ["first_name"] = "the survivor's unless empty",
        ["last_name"] = "the survivor's unless empty",
        ["phone"] = "the survivor's unless empty",
        ["company"] = "the survivor's unless empty",
        ["source"] = "the survivor's unless empty (first touch is kept)",
        ["channel"] = "the survivor's unless empty",
        ["owner_id"] = "the survivor's unless empty",
        ["timezone"] = "the survivor's unless empty",
        ["kind"] = "customer if either is a customer",
        ["marketing_consent"] = "the newer decision (consent_at)",
        ["attributes"] = "both; the survivor's value where both have a key",
    };

    public const string Survivor = "survivor";
    public const string Duplicate = "duplicate";

    public sealed record Result(Contact Contact, Guid DuplicateId, MergesStore.Moved Moved, IReadOnlyDictionary<string, string> Choices,
        bool AlreadyMerged, DateTime MergedAt);

    /// <param name="choices">field → "survivor" | "duplicate", for fields of <see cref="Fields"/> (validated by the caller).</param>
    public async Task<Result> MergeAsync(Guid survivorId, Guid duplicateId, IReadOnlyDictionary<string, string> choices, string? mergedBy,
        CancellationToken ct)
    {
        if (survivorId == duplicateId)
            throw new RuleRefusedException("A contact cannot be merged into itself.", new Dictionary<string, object?> { ["field"] = "duplicate_id" });

        // Both locked, in id order, before anything is read for the decision: two merges of the same pair run one after the other.
        var locked = (await contacts.GetManyForUpdateAsync([survivorId, duplicateId], ct)).ToDictionary(c => c.Id);
        if (!locked.TryGetValue(survivorId, out var survivor))
            throw await contacts.MergedIntoAsync(survivorId, ct) is { } into
                ? new ConflictException($"Contact {survivorId} was itself merged into {into}; merge into that one.",
                    new Dictionary<string, object?> { ["survivor_id"] = into })
                : new NotFoundException($"Contact {survivorId} does not exist.");
        if (!locked.TryGetValue(duplicateId, out var duplicate))
        {
            if (await merges.GetTombstoneAsync(duplicateId, ct) is { } tombstone)
                return tombstone.SurvivorId == survivorId
                    ? new Result(survivor, duplicateId, new MergesStore.Moved(0, 0, 0, 0, 0, 0), new Dictionary<string, string>(), true, tombstone.MergedAt)
                    : throw new ConflictException($"Contact {duplicateId} was already merged into {tombstone.SurvivorId}.",
                        new Dictionary<string, object?> { ["survivor_id"] = tombstone.SurvivorId });
            throw new NotFoundException($"Contact {duplicateId} does not exist.");
        }

        var before = survivor.Copy();
        var resolved = new Dictionary<string, string>();
        string Choose(string field, bool survivorHasIt, bool differ)
        {
            var choice = choices.TryGetValue(field, out var chosen) ? chosen : survivorHasIt ? Survivor : Duplicate;
            if (differ)
                resolved[field] = choice;
            return choice;
        }

        string? Text(string field, string? mine, string? theirs) =>
            Choose(field, !string.IsNullOrWhiteSpace(mine), !string.Equals(mine, theirs, StringComparison.Ordinal) && theirs is not null)
                == Duplicate ? theirs : mine;

        // Emails: one primary, every other address of the two a secondary one.
        var emailChoice = Choose("email", survivor.Email is not null,
            duplicate.Email is not null && Contact.Normalize(duplicate.Email) != Contact.Normalize(survivor.Email));
        var primaryIsDuplicates = emailChoice == Duplicate && duplicate.Email is not null;
        var oldPrimary = survivor.Email;
        if (primaryIsDuplicates)
        {
            survivor.Email = duplicate.Email;
            survivor.EmailVerified = duplicate.EmailVerified;
        }

        survivor.FirstName = Text("first_name", survivor.FirstName, duplicate.FirstName);
        survivor.LastName = Text("last_name", survivor.LastName, duplicate.LastName);
        survivor.Phone = Text("phone", survivor.Phone, duplicate.Phone);
        survivor.Company = Text("company", survivor.Company, duplicate.Company);
        survivor.Source = Text("source", survivor.Source, duplicate.Source);
        survivor.Channel = Text("channel", survivor.Channel, duplicate.Channel);
        survivor.OwnerId = Text("owner_id", survivor.OwnerId, duplicate.OwnerId);
        survivor.Timezone = Text("timezone", survivor.Timezone, duplicate.Timezone);

        var kindDiffers = survivor.Kind != duplicate.Kind;
        if (choices.TryGetValue("kind", out var kindChoice))
        {
            survivor.Kind = kindChoice == Duplicate ? duplicate.Kind : survivor.Kind;
            if (kindDiffers)
                resolved["kind"] = kindChoice;
        }
        else if (kindDiffers)
        {
            resolved["kind"] = survivor.Kind == "customer" ? Survivor : duplicate.Kind == "customer" ? Duplicate : Survivor;
            survivor.Kind = resolved["kind"] == Duplicate ? duplicate.Kind : survivor.Kind;
        }

        var consentDiffers = survivor.MarketingConsent != duplicate.MarketingConsent;
        var newerConsent = (duplicate.ConsentAt ?? DateTime.MinValue) > (survivor.ConsentAt ?? DateTime.MinValue) ? Duplicate : Survivor;
        var consentChoice = choices.TryGetValue("marketing_consent", out var chosenConsent) ? chosenConsent : newerConsent;
        if (consentDiffers)
            resolved["marketing_consent"] = consentChoice;
        if (consentChoice == Duplicate)
        {
            survivor.MarketingConsent = duplicate.MarketingConsent;
            survivor.ConsentAt = duplicate.ConsentAt;
        }

        var attributesChoice = choices.TryGetValue("attributes", out var chosenAttributes) ? chosenAttributes : Survivor;
        var mine = survivor.Attributes;
        var theirs = duplicate.Attributes;
        if (theirs.Any(kv => mine.TryGetValue(kv.Key, out var value) && value.GetRawText() != kv.Value.GetRawText()))
            resolved["attributes"] = attributesChoice;
        var (winner, loser) = attributesChoice == Duplicate ? (theirs, mine) : (mine, theirs);
        foreach (var (key, value) in loser)
            winner.TryAdd(key, value);
        survivor.Attributes = winner;

        survivor.Tags = survivor.Tags.Union(duplicate.Tags).ToArray();
        survivor.Score = Math.Max(survivor.Score, duplicate.Score);
        survivor.Created = survivor.Created <= duplicate.Created ? survivor.Created : duplicate.Created;
        survivor.LastInteractionAt = Max(survivor.LastInteractionAt, duplicate.LastInteractionAt);

        // The rows first, then the duplicate goes (its primary email with it: no other contact holds an address the survivor
        // takes), then the survivor is written and its engagement recomputed over all its activities now.
        var moved = await merges.MoveAsync(duplicate.Id, survivor.Id, ct);
        var now = DateTime.UtcNow;
        await merges.InsertTombstoneAsync(duplicate, survivor.Id, resolved, mergedBy, now, ct);
        await contacts.DeleteAsync(duplicate.Id, ct);
        var secondary = new List<string>();
        if (primaryIsDuplicates && oldPrimary is not null)
            secondary.Add(oldPrimary);
        if (!primaryIsDuplicates && duplicate.Email is not null && Contact.Normalize(duplicate.Email) != Contact.Normalize(survivor.Email))
            secondary.Add(duplicate.Email);
        if (secondary.Count > 0)
            await merges.AddSecondaryEmailsAsync(survivor.Id, secondary, ct);
        if (survivor.Email is not null)
            await merges.RemoveSecondaryEmailAsync(survivor.Id, survivor.Email, ct);
        await merges.RecomputeEngagementAsync(survivor.Id, ct);
        await contacts.UpdateAsync(survivor, ct);
        var merged = await contacts.GetAsync(survivor.Id, ct) ?? throw new InvalidOperationException("The survivor vanished during its merge.");

        var changed = merged.ChangedSince(before);
        if (merged.AiScore != before.AiScore)
            changed.Add("ai_score");
        var at = DateTimeOffset.UtcNow;
        if (changed.Count > 0)
            await publish.Publish(new ContactUpdated(contacts.TenantId, merged.ToSnapshot(), changed, at), ct);
        await publish.Publish(new ContactsMerged(contacts.TenantId, merged.Id, duplicate.Id, duplicate.Email, merged.SecondaryEmails, merged.ToSnapshot(),
            mergedBy, at), ct);
        return new Result(merged, duplicate.Id, moved, resolved, false, now);
    }

    static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>Checks a request's choices: known fields, "survivor" or "duplicate".</summary>
    public static Dictionary<string, string[]> Validate(JsonElement? fields, out Dictionary<string, string> choices)
    {
        choices = [];
        var errors = new Dictionary<string, string[]>();
        if (fields is not { ValueKind: JsonValueKind.Object } map)
        {
            if (fields is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
                errors["fields"] = ["must be an object of field: \"survivor\" | \"duplicate\""];
            return errors;
        }

        foreach (var member in map.EnumerateObject())
        {
            if (!Fields.ContainsKey(member.Name))
                errors[$"fields.{Truncate(member.Name)}"] = [$"not a field a merge chooses; one of {string.Join(", ", Fields.Keys)}"];
            else if (member.Value.ValueKind != JsonValueKind.String || member.Value.GetString() is not (Survivor or Duplicate))
                errors[$"fields.{member.Name}"] = ["must be \"survivor\" or \"duplicate\""];
            else
                choices[member.Name] = member.Value.GetString()!;
        }

        return errors;
    }

    static string Truncate(string name) => name.Length <= 64 ? name : name[..64];
}

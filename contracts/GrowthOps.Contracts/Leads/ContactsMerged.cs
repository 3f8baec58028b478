namespace GrowthOps.Contracts.Leads;

/// <summary>
/// <see cref="DuplicateId"/> was merged into <see cref="SurvivorId"/>: its activities, tags, history, deals, tasks and notes now
/// belong to the survivor, its email is one of the survivor's (<see cref="SecondaryEmails"/>), and the duplicate id is a
/// tombstone. Read models keyed by contact id re-key the duplicate's rows onto the survivor and drop the duplicate;
/// <see cref="Survivor"/> is the survivor as it is after the merge (its version orders it among the survivor's events).
/// </summary>
public record ContactsMerged(
    Guid TenantId,
    Guid SurvivorId,
    Guid DuplicateId,
    string? DuplicateEmail,
    IReadOnlyList<string> SecondaryEmails,
    ContactSnapshot Survivor,
    string? MergedBy,
    DateTimeOffset OccurredAt);

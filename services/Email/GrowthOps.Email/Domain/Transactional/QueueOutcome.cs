namespace GrowthOps.Email.Domain.Transactional;

/// <summary>
/// What became of a <see cref="SendRequest"/>. <see cref="Created"/>: queued now. Otherwise <see cref="Id"/> is the email that
/// already holds the key (<see cref="SameContent"/> false when it was asked for with other content), or — with
/// <see cref="Refusal"/> — the send was refused and nothing was queued.
/// </summary>
public sealed record QueueOutcome(Guid? Id, bool Created, bool SameContent, SendRefusal? Refusal)
{
    public static QueueOutcome Queued(Guid id) => new(id, true, true, null);

    public static QueueOutcome Existing(Guid id, bool sameContent) => new(id, false, sameContent, null);

    public static QueueOutcome Refused(SendRefusal refusal) => new(null, false, false, refusal);
}

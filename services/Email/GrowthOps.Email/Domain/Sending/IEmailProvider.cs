namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// A way out for email (SMTP, Postmark). <see cref="SendAsync"/> takes one batch of one tenant (at most the pipeline's batch
/// size) and answers one <see cref="SendOutcome"/> per email, in any order; it throws only when nothing can be said of any
/// email of the batch (the pipeline then treats the whole batch as a transient failure).
/// </summary>
public interface IEmailProvider
{
    /// <summary><c>smtp</c> or <c>postmark</c>: recorded on every sent email, and the throttling key.</summary>
    string Name { get; }

    Task<IReadOnlyList<SendOutcome>> SendAsync(IReadOnlyList<OutgoingEmail> batch, CancellationToken ct);
}

namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// One email as the sending pipeline hands it to a provider, after rendering and before the <see cref="IEmailDecorator"/>s
/// (unsubscribe headers and link, open and click tracking) have added theirs. <see cref="MessageId"/> is the email job's id.
/// </summary>
public sealed class OutgoingEmail
{
    public required Guid TenantId { get; init; }
    public required Guid MessageId { get; init; }
    public Guid? CampaignId { get; init; }
    public Guid? ContactId { get; init; }
    /// <summary><c>marketing</c>, <c>transactional</c> or <c>strictly_transactional</c>.</summary>
    public required string Category { get; init; }
    public required string From { get; set; }
    public string? ReplyTo { get; set; }
    public required string To { get; init; }
    public required string Subject { get; set; }
    public required string Html { get; set; }
    public string? Text { get; set; }
    /// <summary>Extra MIME headers (e.g. <c>List-Unsubscribe</c>); the provider sends them as given.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Postmark's <c>Tag</c> (the campaign's name, for the provider's own reports).</summary>
    public string? Tag { get; set; }
    public bool TrackOpens { get; set; } = true;
    public bool TrackLinks { get; set; } = true;
}

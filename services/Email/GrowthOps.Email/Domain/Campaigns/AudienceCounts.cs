namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// An audience counted before sending. Every recipient is in exactly one of the four groups, checked in this order: no
/// address (<see cref="NoEmail"/>), an address on the suppression list (<see cref="Suppressed"/>), no marketing consent
/// (<see cref="NoConsent"/>), and the rest, who will be sent to (<see cref="Sendable"/>).
/// </summary>
public sealed record AudienceCounts(int Total, int Sendable, int Suppressed, int NoConsent, int NoEmail);

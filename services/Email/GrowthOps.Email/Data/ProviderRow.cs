namespace GrowthOps.Email.Data;

/// <summary>A tenant's row of <c>email.providers</c>, secrets still sealed.</summary>
public sealed record ProviderRow(
    string Kind,
    string? MessageStream,
    string? BroadcastStream,
    byte[]? ServerToken,
    string? Host,
    int? Port,
    string? Username,
    byte[]? Password,
    bool UseTls,
    string? FromDefault,
    DateTime UpdatedAt);

namespace GrowthOps.Email.Apis;

/// <summary>
/// How the tenant's email goes out: its own settings (<c>source</c> <c>tenant</c>) or the platform's (<c>platform</c>, only
/// the kind shown). Secrets are never returned; <c>has_server_token</c> and <c>has_password</c> say whether one is stored.
/// </summary>
public sealed record EmailProviderSettings(
    string Source,
    string Kind,
    string? MessageStream,
    string? BroadcastStream,
    string? Host,
    int? Port,
    string? Username,
    bool UseTls,
    string? FromDefault,
    bool HasServerToken,
    bool HasPassword,
    DateTime? UpdatedAt);

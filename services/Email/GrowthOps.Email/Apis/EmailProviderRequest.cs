using System.ComponentModel;

namespace GrowthOps.Email.Apis;

/// <summary>
/// The tenant's way out for email, replacing what was set. A secret left out is kept when the kind stays the same (so a
/// settings form need not hold it); an empty SMTP password removes it.
/// </summary>
public sealed record EmailProviderRequest(
    [property: Description("postmark or smtp.")] string? Kind,
    [property: Description("Postmark: the server's API token (required the first time).")] string? ServerToken = null,
    [property: Description("Postmark: the stream of transactional email; the platform's (\"outbound\") when not given.")] string? MessageStream = null,
    [property: Description("Postmark: the stream of marketing email; the platform's (\"broadcast\") when not given.")] string? BroadcastStream = null,
    [property: Description("SMTP: the relay's host name or IP address.")] string? Host = null,
    [property: Description("SMTP: the relay's port, 1 to 65535.")] int? Port = null,
    [property: Description("SMTP: the user name; no authentication when not given.")] string? Username = null,
    [property: Description("SMTP: the password.")] string? Password = null,
    [property: Description("SMTP: TLS from the first byte (port 465); otherwise STARTTLS when the relay offers it.")] bool? UseTls = null,
    [property: Description("The sender address of email that names none.")] string? FromDefault = null);

using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>Settings every part of Email shares (section <c>Email</c>); each feature has its own options class beside it.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>Where recipients reach the service (through the gateway): tracking, click and unsubscribe links start with it.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// The key that signs tracking, click and unsubscribe links (HMAC-SHA256), so that none can be forged. At least 32
    /// characters; the development default is for local use only.
    /// </summary>
    [Required, MinLength(32)]
    public string LinkSigningKey { get; set; } = "growthops-local-development-link-signing-key-0123";
}

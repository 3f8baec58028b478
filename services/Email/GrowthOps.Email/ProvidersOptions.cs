using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>How email leaves the platform: the default way out and the key of tenants' provider secrets (section <c>Email:Providers</c>).</summary>
public sealed class ProvidersOptions
{
    public const string Section = "Email:Providers";

    /// <summary>Development only: a fixed key, so that local runs and tests need no setup. Production refuses it.</summary>
    public const string DevelopmentSecretsKey = "Z3Jvd3Rob3BzLWRldi1lbWFpbC1wcm92aWRlcnMta2U=";

    /// <summary>The way out of a tenant without its own provider: <c>smtp</c> (<c>Email:Smtp</c>) or <c>postmark</c> (<c>Email:Postmark</c>).</summary>
    [Required, RegularExpression("^(smtp|postmark)$")]
    public string Default { get; set; } = "smtp";

    /// <summary>Base64 of a 32-byte key that encrypts tenants' Postmark server tokens and SMTP passwords at rest.</summary>
    [Required]
    public string SecretsKey { get; set; } = DevelopmentSecretsKey;

    /// <summary>How long a tenant's provider is reused before its settings are read again (a PUT takes effect within it).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}

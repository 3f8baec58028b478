namespace GrowthOps.ServiceDefaults;

/// <summary>
/// JWT bearer settings. Production sets <see cref="Authority"/> (an OIDC issuer) and <see cref="Audience"/>;
/// local development and tests sign tokens with <see cref="SigningKey"/> (HS256), as <c>./growthops token</c> does.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string? Authority { get; set; }
    public string Audience { get; set; } = "growthops";
    public string Issuer { get; set; } = "growthops-dev";
    public string? SigningKey { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// Off (the default): a token without a <c>scope</c> claim is a full tenant token. On: such a token holds no scope, so it
    /// reaches only the routes that declare none.
    /// </summary>
    public bool RequireScopes { get; set; }

    /// <summary>The claim that carries the tenant id (a UUID).</summary>
    public string TenantClaim { get; set; } = "tenant_id";
}

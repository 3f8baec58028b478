using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.Gateway.Tests;

/// <summary>Mints HS256 tokens as <c>./growthops token</c> does with the local development key.</summary>
public static class Tokens
{
    public const string DevSigningKey = "growthops-local-development-signing-key-0123456789abcdef";
    public const string Issuer = "growthops-dev";
    public const string Audience = "growthops";

    public static string ForTenant(Guid tenantId) => Create(new Dictionary<string, object> { ["tenant_id"] = tenantId.ToString() });

    public static string Create(
        IDictionary<string, object> claims,
        DateTime? expires = null,
        string signingKey = DevSigningKey,
        string issuer = Issuer,
        string audience = Audience)
    {
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        var all = new Dictionary<string, object>(claims) { ["sub"] = "user-1" };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = all,
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}

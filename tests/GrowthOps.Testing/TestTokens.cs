using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.Testing;

public static class TestTokens
{
    /// <summary>
    /// A token as <c>./growthops token --tenant [--scope]</c> mints it; <paramref name="tenantId"/> null leaves the claim out,
    /// <paramref name="scope"/> null leaves the scope claim out (a full tenant token).
    /// </summary>
    public static string For(Guid? tenantId, string key = TestEnvironment.SigningKey, DateTime? expires = null, string? scope = null,
        string sub = "test-user")
    {
        var claims = new List<Claim> { new("sub", sub) };
        if (tenantId is { } t)
            claims.Add(new Claim("tenant_id", t.ToString()));
        if (scope is not null)
            claims.Add(new Claim("scope", scope));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = "growthops-dev",
            Audience = "growthops",
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}

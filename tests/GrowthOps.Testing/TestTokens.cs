using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.Testing;

public static class TestTokens
{
    /// <summary>A token as <c>./growthops token --tenant</c> mints it; <paramref name="tenantId"/> null leaves the claim out.</summary>
    public static string For(Guid? tenantId, string key = TestEnvironment.SigningKey, DateTime? expires = null)
    {
        var claims = new List<Claim> { new("sub", "test-user") };
        if (tenantId is { } t)
            claims.Add(new Claim("tenant_id", t.ToString()));
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

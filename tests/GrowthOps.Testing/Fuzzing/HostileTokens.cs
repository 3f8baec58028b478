using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>Authorization headers that must not get a caller in: each with the variant's name.</summary>
public static class HostileTokens
{
    public static IReadOnlyList<(string Kind, string? Header)> For(Guid tenant) =>
    [
        ("token.none", null),
        ("token.expired", Bearer(TestTokens.For(tenant, expires: DateTime.UtcNow.AddHours(-1)))),
        ("token.wrong-signature", Bearer(TestTokens.For(tenant, key: "not-the-signing-key-" + new string('k', 40)))),
        ("token.no-tenant", Bearer(TestTokens.For(null))),
        ("token.tenant-not-a-uuid", Bearer(Create(new Claim("tenant_id", "../" + tenant)))),
        ("token.wrong-audience", Bearer(Create(new Claim("tenant_id", tenant.ToString()), audience: "someone-else"))),
        ("token.alg-none", Bearer(Unsigned(tenant))),
        ("token.garbage", "Bearer not.a.jwt"),
        ("token.basic", "Basic " + Convert.ToBase64String("admin:admin"u8.ToArray())),
    ];

    static string Bearer(string token) => "Bearer " + token;

    static string Create(Claim claim, string audience = "growthops") => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", "fuzz"), claim]),
        Issuer = "growthops-dev",
        Audience = audience,
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestEnvironment.SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>A well-formed token for the tenant with <c>"alg": "none"</c> and no signature.</summary>
    static string Unsigned(Guid tenant)
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." +
               Base64UrlEncoder.Encode($$"""{"sub":"fuzz","tenant_id":"{{tenant}}","iss":"growthops-dev","aud":"growthops","exp":{{expires}}}""") + ".";
    }
}

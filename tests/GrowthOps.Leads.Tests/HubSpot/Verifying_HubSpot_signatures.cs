using System.Text;
using GrowthOps.Leads.Integrations.HubSpot;

namespace GrowthOps.Leads.Tests.HubSpot;

/// <summary>Known vectors, computed outside .NET (commands next to each) or taken from HubSpot's documentation.</summary>
public sealed class Verifying_HubSpot_signatures
{
    const string Secret = "hubspot-client-secret";
    const string Uri = "https://api.growthops.example/webhooks/hubspot";
    const string Timestamp = "1700000000000";

    const string Body =
        """[{"eventId":100,"portalId":67890,"occurredAt":1700000000000,"subscriptionType":"deal.propertyChange","objectId":12345,"propertyName":"dealstage","propertyValue":"appointment_scheduled"}]""";

    // printf '%s' "POSThttps://api.growthops.example/webhooks/hubspot${BODY}1700000000000" | openssl dgst -sha256 -hmac 'hubspot-client-secret' -binary | base64
    const string V3 = "QjPdQhBjQZxZ8TgEuZi++VhLHlBfHi32uAHQQtMj9b8=";

    // printf '%s' "hubspot-client-secretPOSThttps://api.growthops.example/webhooks/hubspot${BODY}" | sha256sum
    const string V2 = "eb34fb15801327e9545857e2006512a9a0445684be830f41da3729ae11b7de96";

    // printf '%s' "hubspot-client-secret${BODY}" | sha256sum
    const string V1 = "3951e03a13b3390e0dad762c77d81bba2af61264e500199a8d83c477863b6946";

    static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeMilliseconds(1700000000000);

    static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Computes_the_known_v3_v2_and_v1_signatures()
    {
        Assert.Equal(V3, HubSpotSignature.ComputeV3(Secret, "POST", Uri, Bytes(Body), Timestamp));
        Assert.Equal(V2, HubSpotSignature.ComputeV2(Secret, "POST", Uri, Bytes(Body)));
        Assert.Equal(V1, HubSpotSignature.ComputeV1(Secret, Bytes(Body)));
    }

    [Fact]
    public void Matches_the_examples_in_HubSpots_documentation()
    {
        // developers.hubspot.com "v1 request validation" and "v2 request validation" examples (re-checked with sha256sum).
        const string docSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
        const string docBody =
            """[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]""";
        Assert.Equal("232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", HubSpotSignature.ComputeV1(docSecret, Bytes(docBody)));
        Assert.Equal("eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e",
            HubSpotSignature.ComputeV2(docSecret, "GET", "https://www.example.com/webhook_uri", []));
    }

    [Fact]
    public void Accepts_each_version_when_it_matches()
    {
        Assert.Null(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(V3, Timestamp, null, null), SignedAt.AddMinutes(4)));
        Assert.Null(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, null, V2, "v2"), SignedAt));
        Assert.Null(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, null, V1, "v1"), SignedAt));
        Assert.Null(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, null, V1.ToUpperInvariant(), null), SignedAt));
    }

    [Fact]
    public void Refuses_tampering_a_wrong_secret_a_stale_timestamp_and_a_missing_signature()
    {
        var tampered = Bytes(Body.Replace("appointment_scheduled", "closedwon", StringComparison.Ordinal));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, tampered, new(V3, Timestamp, null, null), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri + "?x=1", Bytes(Body), new(V3, Timestamp, null, null), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify("other-secret", "POST", Uri, Bytes(Body), new(V3, Timestamp, null, null), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(V3, Timestamp, null, null), SignedAt.AddMinutes(5).AddSeconds(1)));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(V3, null, null, null), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, tampered, new(null, null, V2, "v2"), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, tampered, new(null, null, V1, "v1"), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, null, V1, "v9"), SignedAt));
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, null, null, null), SignedAt));
        // A timestamp means v3: a valid v1 signature next to it does not bypass the age check.
        Assert.NotNull(HubSpotSignature.Verify(Secret, "POST", Uri, Bytes(Body), new(null, Timestamp, V1, "v1"), SignedAt.AddHours(1)));
    }

    [Fact]
    public void Decodes_the_characters_HubSpot_decodes_before_signing_v3()
    {
        Assert.Equal("https://h.example/webhooks/hubspot?a=b:c/d@e!f$g'h(i)j*k,l;m%20n%2B",
            HubSpotSignature.DecodeForV3("https://h.example/webhooks/hubspot?a=b%3Ac%2Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm%20n%2B"));
    }
}

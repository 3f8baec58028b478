using System.Net;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// A contact's email is an address a mail system would deliver to, and a contact has an email or a phone. Refused addresses
/// are a 400 naming the field, and nothing is written.
/// </summary>
public sealed class Validating_contact_emails(LeadsApp app) : IClassFixture<LeadsApp>
{
    public static TheoryData<string> NotAddresses => new()
    {
        new string('a', 300) + "@example.com",
        new string('a', 65) + "@example.com",
        "a@" + string.Join('.', Enumerable.Repeat(new string('d', 63), 4)) + ".com",
        "a@b..c",
        "a@b",
        "a@-example.com",
        "a@exa_mple.com",
        "a@1.2.3.4",
        "a@[10.0.0.1]",
        "<script>alert(1)</script>@x.yz",
        "\"quoted local\"@example.com",
        "Ada <ada@example.com>",
        "a..b@example.com",
        ".a@example.com",
        "a b@example.com",
        "ad\u202Ea@example.com",
        "ada@exam\u202Eple.com",
        "ad\u200Ba@example.com",
        "ada@exam\u200Bple.com",
        "ad\u0007a@example.com",
        "ada@@example.com",
        "ada@example.com@evil.com",
        "üser@example.com",
    };

    [Theory]
    [MemberData(nameof(NotAddresses))]
    public async Task An_address_a_mail_system_would_refuse_is_a_400_naming_the_email_and_nothing_is_written(string email)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var contact = await client.Post("/api/leads/contacts", new { email, first_name = "Refused" });
        var activity = await client.Post("/api/leads/activities", new { type = "page.viewed", contact_email = email });

        Assert.Equal(HttpStatusCode.BadRequest, contact.StatusCode);
        Assert.True((await contact.Json()).GetProperty("errors").TryGetProperty("email", out _));
        Assert.Equal(HttpStatusCode.BadRequest, activity.StatusCode);
        Assert.True((await activity.Json()).GetProperty("errors").TryGetProperty("contact_email", out _));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.contacts where tenant_id = $1", tenant));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.activities where tenant_id = $1", tenant));
    }

    [Theory]
    [InlineData("o'brien+leads@example.ie")]
    [InlineData("first.last@sub-domain.example.co.uk")]
    [InlineData("ada@bücher.de")]
    [InlineData("ADA@XN--BCHER-KVA.DE")]
    public async Task Addresses_mail_systems_deliver_to_are_accepted_as_given(string email)
    {
        var client = app.ClientFor(Guid.NewGuid());

        var id = await client.CreateContact(new { email });

        Assert.Equal(email, (await client.Contact(id)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task An_internationalised_domain_in_unicode_or_punycode_is_the_same_contact()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact(new { email = "Ada@Bücher.de", first_name = "Ada" });

        var again = await client.Post("/api/leads/contacts", new { email = "ada@xn--bcher-kva.de", company = "Bücher" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, (await again.Json()).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"first_name":"Nobody","company":"Nowhere"}""")]
    [InlineData("""{"email":null,"phone":"  "}""")]
    public async Task A_contact_without_an_email_or_a_phone_is_a_400_naming_the_email(string body)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var response = await client.PostAsync("/api/leads/contacts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("phone", (await response.Json()).GetProperty("errors").GetProperty("email")[0].GetString());
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.contacts where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task A_contact_with_only_a_phone_is_accepted_but_cannot_lose_it()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact(new { phone = "+44 20 7946 0000", first_name = "Caller" });

        var cleared = await client.Patch($"/api/leads/contacts/{id}", new Dictionary<string, object?> { ["phone"] = null });
        var swapped = await client.Patch($"/api/leads/contacts/{id}", new Dictionary<string, object?> { ["phone"] = null, ["email"] = "caller@example.com" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, cleared.StatusCode);
        Assert.Equal("email", (await cleared.Json()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, swapped.StatusCode);
    }
}

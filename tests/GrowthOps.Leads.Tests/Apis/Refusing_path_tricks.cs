using System.Net;
using System.Net.Http.Headers;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// On a real Kestrel port, which resolves dot segments before routing: <c>DELETE …/contacts/{id}/tags/..</c> is
/// <c>DELETE …/contacts/{id}</c> once resolved.
/// </summary>
public sealed class Refusing_path_tricks(Refusing_path_tricks.LeadsOnKestrel app) : IClassFixture<Refusing_path_tricks.LeadsOnKestrel>
{
    public sealed class LeadsOnKestrel : LeadsApp
    {
        public LeadsOnKestrel() => UseKestrel(0);

        protected override void ConfigureClient(HttpClient client)
        {
            base.ConfigureClient(client);
            client.BaseAddress = CarelessClient.ServerAddressOf(Services);
        }
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2E%2E")]
    [InlineData(".%2e")]
    [InlineData("%2e%2E")]
    [InlineData(".")]
    public async Task Removing_a_tag_named_like_a_dot_segment_is_refused_and_leaves_the_contact(string tag)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"{Guid.NewGuid():N}@dots.test");
        var server = CarelessClient.ServerAddressOf(app.Services);
        using var careless = CarelessClient.Create(server);
        careless.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));

        var response = await careless.DeleteAsync(CarelessClient.Target(server, $"/api/leads/contacts/{contact}/tags/{tag}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(contact, (await client.Contact(contact)).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("%252E%252E")] // arrives as the tag "%2e%2e"
    [InlineData("two%20words")]
    [InlineData("LONG")]
    public async Task Removing_a_tag_no_tag_can_be_is_a_400_naming_it(string tag)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact(new { email = $"{Guid.NewGuid():N}@tags.test", tags = new[] { "vip" } });
        var server = CarelessClient.ServerAddressOf(app.Services);
        using var careless = CarelessClient.Create(server);
        careless.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));

        var response = await careless.DeleteAsync(CarelessClient.Target(server,
            $"/api/leads/contacts/{contact}/tags/{(tag == "LONG" ? new string('x', 2000) : tag)}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"tag\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(["vip"], (await client.Contact(contact)).GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }
}

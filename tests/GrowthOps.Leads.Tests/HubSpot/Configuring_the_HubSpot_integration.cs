using System.Net;
using System.Text;
using GrowthOps.Leads.Integrations;
using GrowthOps.ServiceDefaults.Secrets;
using static GrowthOps.Leads.Tests.HubSpot.HubSpotTesting;

namespace GrowthOps.Leads.Tests.HubSpot;

public sealed class Configuring_the_HubSpot_integration(LeadsApp app) : IClassFixture<LeadsApp>
{
    const string Url = "/api/leads/integrations/hubspot";

    [Fact]
    public async Task Stores_the_client_secret_encrypted_and_never_returns_it()
    {
        var tenant = Guid.NewGuid();
        var portal = NewId();
        const string secret = "4a1c0f3e-hubspot-client-secret-0001";
        var response = await app.ClientFor(tenant).Put(Url, new { client_secret = secret, portal_ids = new[] { portal }, app_id = "123456" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var get = await app.ClientFor(tenant).GetAsync(Url);
        var text = await get.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var settings = await get.Json();
        Assert.Equal([portal], settings.GetProperty("portal_ids").EnumerateArray().Select(p => p.GetInt64()));
        Assert.Equal("123456", settings.GetProperty("app_id").GetString());
        Assert.True(settings.GetProperty("has_client_secret").GetBoolean());
        Assert.True(settings.TryGetProperty("updated_at", out _));
        Assert.False(settings.TryGetProperty("client_secret", out _));

        var stored = await app.Database.ScalarAsync<byte[]>("select client_secret_encrypted from leads.hubspot_integrations where tenant_id = $1", tenant);
        Assert.DoesNotContain(secret, Encoding.Latin1.GetString(stored), StringComparison.Ordinal);
        Assert.True(stored.Length > secret.Length);
        Assert.Equal(secret, app.Services.GetRequiredService<TenantSecretBox>().Open(stored, tenant));
        Assert.Equal(tenant, await app.Database.ScalarAsync<Guid>("select tenant_id from leads.hubspot_portals where portal_id = $1", portal));
    }

    [Fact]
    public async Task Updating_keeps_the_secret_when_omitted_and_releases_portals_no_longer_listed()
    {
        var tenant = Guid.NewGuid();
        long first = NewId(), second = NewId();
        await app.ConnectHubSpotAsync(tenant, "secret-one", first);
        var stored = await app.Database.ScalarAsync<byte[]>("select client_secret_encrypted from leads.hubspot_integrations where tenant_id = $1", tenant);

        var response = await app.ClientFor(tenant).Put(Url, new { portal_ids = new[] { second } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([second], (await response.Json()).GetProperty("portal_ids").EnumerateArray().Select(p => p.GetInt64()));
        Assert.Equal(stored, await app.Database.ScalarAsync<byte[]>("select client_secret_encrypted from leads.hubspot_integrations where tenant_id = $1", tenant));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_portals where portal_id = $1", first));
    }

    [Fact]
    public async Task Another_tenant_cannot_read_or_delete_the_integration()
    {
        var tenant = Guid.NewGuid();
        await app.ConnectHubSpotAsync(tenant, "secret-of-tenant-a", NewId());
        var other = app.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientFor(tenant).GetAsync(Url)).StatusCode);
    }

    [Fact]
    public async Task A_portal_connected_to_another_tenant_is_a_conflict_and_nothing_changes()
    {
        var owner = Guid.NewGuid();
        var portal = NewId();
        await app.ConnectHubSpotAsync(owner, "owner-secret", portal);

        var intruder = Guid.NewGuid();
        var free = NewId();
        var response = await app.ClientFor(intruder).Put(Url, new { client_secret = "intruder-secret", portal_ids = new[] { free, portal } });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([portal], (await response.Json()).GetProperty("portal_ids").EnumerateArray().Select(p => p.GetInt64()));

        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientFor(intruder).GetAsync(Url)).StatusCode);
        Assert.Equal(owner, await app.Database.ScalarAsync<Guid>("select tenant_id from leads.hubspot_portals where portal_id = $1", portal));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_portals where portal_id = $1", free));
    }

    [Fact]
    public async Task Invalid_settings_are_a_validation_problem()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.Put(Url, new { client_secret = 42, portal_ids = new object[] { -1, "x" }, app_id = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        foreach (var field in new[] { "client_secret", "portal_ids", "app_id" })
            Assert.True(errors.TryGetProperty(field, out _), field);

        Assert.True((await (await client.Put(Url, new { client_secret = "s", portal_ids = Array.Empty<long>() })).Json())
            .GetProperty("errors").TryGetProperty("portal_ids", out _));

        // A number that is no integer (or no double) is no app id; it is not kept as its text.
        foreach (var appId in new[] { "1e309", "4.2" })
        {
            var number = await client.PutAsync(Url, new StringContent($$"""{"client_secret":"s","portal_ids":[{{NewId()}}],"app_id":{{appId}}}""",
                Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, number.StatusCode);
            Assert.True((await number.Json()).GetProperty("errors").TryGetProperty("app_id", out _), appId);
        }

        // The first connection needs the secret.
        var noSecret = await client.Put(Url, new { portal_ids = new[] { NewId() } });
        Assert.Equal(HttpStatusCode.BadRequest, noSecret.StatusCode);
        Assert.True((await noSecret.Json()).GetProperty("errors").TryGetProperty("client_secret", out _));
    }

    [Fact]
    public async Task Deleting_disconnects_and_frees_the_portals()
    {
        var tenant = Guid.NewGuid();
        var portal = NewId();
        await app.ConnectHubSpotAsync(tenant, "to-be-deleted", portal);
        Assert.Equal(HttpStatusCode.NoContent, (await app.ClientFor(tenant).DeleteAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientFor(tenant).GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientFor(tenant).DeleteAsync(Url)).StatusCode);
        await app.ConnectHubSpotAsync(Guid.NewGuid(), "new-owner", portal);
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using GrowthOps.Contracts.Leads;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.Leads.Tests.StateMachines;

/// <summary>The lifecycle across a restart of the service: its state and its pending timeout live in PostgreSQL.</summary>
public sealed class Restarting_the_lead_lifecycle : IAsyncLifetime
{
    TestDatabase _db = null!;
    TestVirtualHost _vhost = null!;
    TestBus _events = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync("leads");
        _vhost = await TestVirtualHost.CreateAsync("leadsrestart");
        _events = await TestBus.StartAsync(_vhost, typeof(LeadWentDormant));
    }

    public async Task DisposeAsync()
    {
        await _events.DisposeAsync();
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_timeout_scheduled_before_a_restart_fires_once_after_it()
    {
        var tenant = Guid.NewGuid();
        Guid contact;
        await using (var first = await LeadsHost.StartAsync(_db, _vhost))
        {
            var client = first.ClientFor(tenant);
            (await client.PutAsJsonAsync("/api/leads/settings", new { dormancy_period_seconds = 6 }, LeadsApp.Json)).EnsureSuccessStatusCode();
            contact = await client.CreateContact("restart@example.com");
            await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from leads.scheduled_message where not cancelled and schedule_id is null"), n => n == 1,
                because: "the dormancy timeout is stored before the service stops");
        }

        await using var second = await LeadsHost.StartAsync(_db, _vhost);
        var dormant = await _events.WaitFor<LeadWentDormant>(e => e.ContactId == contact, TimeSpan.FromSeconds(30));
        Assert.Equal(tenant, dormant.TenantId);
        Assert.Equal(1L, await _db.ScalarAsync<long>(
            "select count(*) from leads.lead_state_history h join leads.lead_states s on s.id = h.to_state_id where h.contact_id = $1 and s.name = 'dormant'",
            contact));
        Assert.Equal("Dormant", await _db.ScalarAsync<string>("select current_state from leads.lead_lifecycle_state where correlation_id = $1", contact));
    }

    sealed class LeadsHost(TestDatabase db, TestVirtualHost vhost) : WebApplicationFactory<Program>
    {
        public static async Task<LeadsHost> StartAsync(TestDatabase db, TestVirtualHost vhost)
        {
            var host = new LeadsHost(db, vhost);
            var client = host.CreateClient();
            await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
                "the Leads service becomes ready");
            return host;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Postgres", db.ServiceConnectionString);
            builder.UseSetting("RabbitMq:Host", TestEnvironment.RabbitHost);
            builder.UseSetting("RabbitMq:Port", TestEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("RabbitMq:VirtualHost", vhost.Name);
            builder.UseSetting("RabbitMq:Username", TestEnvironment.RabbitUser);
            builder.UseSetting("RabbitMq:Password", TestEnvironment.RabbitPassword);
            builder.UseSetting("Auth:SigningKey", TestEnvironment.SigningKey);
            builder.UseSetting("Leads:SecretsKey", Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }

        public HttpClient ClientFor(Guid tenant)
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));
            return client;
        }
    }
}

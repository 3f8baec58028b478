using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>A schedule lives in the campaign's row: the instance that accepted it can stop, and another one fans it out when due.</summary>
public sealed class Keeping_a_schedule_across_restarts(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task A_campaign_scheduled_on_an_instance_that_stopped_is_fanned_out_by_another_when_due()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var template = await app.TemplateAsync(tenant);
        Guid id;
        // The first instance, on the same database, whose scheduler would look again only in ten minutes.
        await using (var first = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in ServiceSettings.For(app.Database, app.VirtualHost))
                builder.UseSetting(key, value);
            builder.UseSetting("Email:Campaigns:PollInterval", "00:10:00");
        }))
        {
            var client = first.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));
            id = await client.ReadyCampaignAsync(template, $$"""{"contact_ids":["{{contact.Id}}"]}""");
            var sendAt = DateTimeOffset.UtcNow.AddSeconds(2).ToString("O", CultureInfo.InvariantCulture);
            await client.PostJson($"/api/email/campaigns/{id}/schedule", $$"""{"send_at":"{{sendAt}}"}""", HttpStatusCode.OK);
        }

        var client2 = app.ClientFor(tenant);
        await Eventually.Until(() => client2.GetJson($"/api/email/campaigns/{id}"), c => c.Str("status") == "sending", TimeSpan.FromSeconds(30),
            "the other instance fans the campaign out when due");
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", id));
    }
}

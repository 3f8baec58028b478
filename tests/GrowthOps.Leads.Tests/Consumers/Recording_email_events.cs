using GrowthOps.Contracts.Email;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Leads.Tests.Consumers;

/// <summary>Email's events as activities on the contact (ActivityRecorded, so segments and automations see them), and unsubscribes as lost consent.</summary>
public sealed class Recording_email_events(LeadsApp app) : IClassFixture<LeadsApp>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    async Task<(Guid Tenant, HttpClient Client, Guid Contact, string Email)> ContactAsync(bool consent = true)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var contact = await client.CreateContact(new { email, marketing_consent = consent });
        return (tenant, client, contact, email);
    }

    Task<ActivityRecorded> Activity(Guid contact, string type) => app.Events.WaitFor<ActivityRecorded>(a => a.ContactId == contact && a.Type == type);

    List<ActivityRecorded> Activities(Guid contact) => [.. app.Events.Received<ActivityRecorded>().Where(a => a.ContactId == contact)];

    [Fact]
    public async Task Every_email_event_becomes_an_activity_on_the_contact_and_is_announced()
    {
        var (tenant, client, contact, email) = await ContactAsync();
        var (message, campaign) = (Guid.NewGuid(), Guid.NewGuid());
        await app.Events.Bus.Publish(new EmailSent(tenant, message, contact, email, null, "welcome-1", null, "postmark", "pm-1", "Welcome", false, Now));
        await app.Events.Bus.Publish(new EmailOpened(tenant, message, contact, email, null, true, false, "Mozilla/5.0 (Macintosh)", Now));
        await app.Events.Bus.Publish(new EmailClicked(tenant, message, contact, email, campaign, "https://example.com/pricing", true, false, "Mozilla/5.0 (X11)", Now));
        await app.Events.Bus.Publish(new EmailBounced(tenant, message, contact, email, null, true, "HardBounce", "Mailbox not found", Now));
        await app.Events.Bus.Publish(new EmailReplied(tenant, message, contact, email, null, "Re: Welcome", "Thanks, interested!", Now));

        Assert.Equal(message.ToString(), (await Activity(contact, "email.sent")).Metadata!["message_id"].GetString());
        await Activity(contact, "email.opened");
        var clicked = await Activity(contact, "email.clicked");
        Assert.Equal("https://example.com/pricing", clicked.Metadata!["url"].GetString());
        Assert.Equal(campaign.ToString(), clicked.Metadata["campaign_id"].GetString());
        Assert.Equal("HardBounce", (await Activity(contact, "email.bounced")).Metadata!["bounce_type"].GetString());
        Assert.Equal("Thanks, interested!", (await Activity(contact, "email.replied")).Metadata!["snippet"].GetString());

        var feed = await client.GetJson($"/api/leads/contacts/{contact}/activities");
        Assert.Equal(["email.bounced", "email.clicked", "email.opened", "email.replied", "email.sent"],
            feed.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("type").GetString()!).Order(StringComparer.Ordinal));
        // The contact's interaction time moved like with any activity.
        Assert.NotEqual(JsonValueKind.Null, (await client.Contact(contact)).GetProperty("last_interaction_at").ValueKind);
    }

    [Fact]
    public async Task A_campaign_batch_records_a_send_per_contact_found_by_id_or_email_and_creates_no_contact()
    {
        var (tenant, client, first, _) = await ContactAsync();
        var second = await client.CreateContact(new { email = $"b-{Guid.NewGuid():N}@example.com" });
        var byEmail = $"c-{Guid.NewGuid():N}@example.com";
        var third = await client.CreateContact(new { email = byEmail });
        var nobody = $"nobody-{Guid.NewGuid():N}@example.com";
        var campaign = Guid.NewGuid();

        await app.Events.Bus.Publish(new EmailBatchSent(tenant, campaign,
        [
            new SentEmail(Guid.NewGuid(), first, "a@example.com", "pm-a"), new SentEmail(Guid.NewGuid(), second, "b@example.com", "pm-b"),
            new SentEmail(Guid.NewGuid(), Guid.NewGuid(), "deleted@example.com", "pm-x"), new SentEmail(Guid.NewGuid(), null, byEmail.ToUpperInvariant(), "pm-c"),
            new SentEmail(Guid.NewGuid(), null, nobody, "pm-d"),
        ], Now));

        foreach (var contact in new[] { first, second, third })
            Assert.Equal(campaign.ToString(), (await Activity(contact, "email.sent")).Metadata!["campaign_id"].GetString());
        Assert.DoesNotContain(app.Events.Received<ContactCreated>(), c => c.TenantId == tenant && c.Contact.Email == nobody);
        Assert.Equal(3, app.Events.Received<ActivityRecorded>().Count(a => a.TenantId == tenant));
    }

    [Fact]
    public async Task Bot_opens_and_clicks_dry_runs_and_soft_bounces_are_not_the_contacts_doing()
    {
        var (tenant, _, contact, email) = await ContactAsync();
        var message = Guid.NewGuid();
        object[] events =
        [
            new EmailOpened(tenant, message, contact, email, null, false, true, "Mozilla/5.0", Now),
            new EmailClicked(tenant, message, contact, email, null, "https://example.com", false, true, "BingPreview", Now),
            new EmailSent(tenant, message, contact, email, null, "k", null, "smtp", null, "Dry", true, Now),
            new EmailBounced(tenant, message, contact, email, null, false, "SoftBounce", "Mailbox full", Now),
            // Another tenant's event naming this contact is not this contact's.
            new EmailReplied(Guid.NewGuid(), message, contact, email, null, "Re: x", "y", Now),
            new EmailOpened(tenant, message, contact, email, null, true, false, "Mozilla/5.0 (Windows NT 10.0)", Now),
        ];
        var ids = events.Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < events.Length; i++)
        {
            var id = ids[i];
            await app.Events.Bus.Publish(events[i], events[i].GetType(), c => c.MessageId = id);
        }

        await Activity(contact, "email.opened");
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from leads.inbox_state where message_id = any($1)", ids),
            n => n == ids.Length, TimeSpan.FromSeconds(30), "every event is consumed");
        Assert.Equal(["email.opened"], Activities(contact).Select(a => a.Type));
    }

    [Fact]
    public async Task An_unsubscribe_clears_the_contacts_marketing_consent_and_is_recorded_once_however_often_it_arrives()
    {
        var (tenant, client, contact, email) = await ContactAsync(consent: true);
        var unsubscribed = new EmailUnsubscribed(tenant, Guid.NewGuid(), null, email.ToUpperInvariant(), Guid.NewGuid(), "link", Now);
        var messageId = Guid.NewGuid();
        await app.Events.Bus.Publish(unsubscribed, c => c.MessageId = messageId);
        await app.Events.Bus.Publish(unsubscribed, c => c.MessageId = messageId);

        // The activity's own ContactUpdated (interaction time, score) may come first, already without consent: wait for the consent change.
        var updated = await app.Events.WaitFor<ContactUpdated>(u => u.Contact.Id == contact && u.ChangedFields.Contains("marketing_consent"));
        Assert.False(updated.Contact.MarketingConsent);
        Assert.Equal("link", (await Activity(contact, "email.unsubscribed")).Metadata!["source"].GetString());
        Assert.False((await client.Contact(contact)).GetProperty("marketing_consent").GetBoolean());

        // A later, different message about the same address records its own activity: the first one was recorded once.
        await app.Events.Bus.Publish(unsubscribed with { Source = "one_click" });
        await Eventually.Until(() => Task.FromResult(Activities(contact).Count(a => a.Type == "email.unsubscribed")), n => n == 2, TimeSpan.FromSeconds(20),
            "the second unsubscribe is recorded");
        Assert.Equal(["link", "one_click"], Activities(contact).Where(a => a.Type == "email.unsubscribed").Select(a => a.Metadata!["source"].GetString()).Order());
        // Consent was cleared once: neither the redelivery nor the second unsubscribe changed it again.
        Assert.Single(app.Events.Received<ContactUpdated>(), u => u.Contact.Id == contact && u.ChangedFields.Contains("marketing_consent"));
    }
}

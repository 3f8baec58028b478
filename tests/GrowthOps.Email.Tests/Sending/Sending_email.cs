using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Sending;

/// <summary>The sending pipeline over real SMTP (smtp4dev): what arrives, what never does, and what is recorded.</summary>
public sealed class Sending_email(EmailApp app) : IClassFixture<EmailApp>
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_transactional_email_arrives_with_its_merge_fields_and_is_recorded_as_sent()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact(firstName: "Grace", company: "Navy");
        await app.Contacts(tenant, contact);
        var queued = await app.ClientFor(tenant).PostJson("/api/email/messages", $$$"""
            {"idempotency_key": "receipt-1", "contact_id": "{{{contact.Id}}}", "subject": "Your receipt, {{first_name}}",
             "html": "<p>Thanks {{first_name}} from {{company}}, order {{order}}.</p>", "merge_data": {"order": 1042}}
            """, HttpStatusCode.Created);
        var id = queued.GetProperty("id").GetGuid();

        var arrived = await app.Mail.WaitForAsync(contact.Email!);
        var mail = await app.Mail.GetAsync(Assert.Single(arrived));
        Assert.Equal("Your receipt, Grace", mail.Summary.Subject);
        Assert.Contains("Thanks Grace from Navy, order 1042.", mail.Html);
        Assert.Contains("Thanks Grace from Navy, order 1042.", mail.Text);
        Assert.Contains(id.ToString("N"), mail.Headers["Message-ID"], StringComparison.OrdinalIgnoreCase);
        // Transactional: no unsubscribe headers.
        Assert.False(mail.Headers.ContainsKey("List-Unsubscribe"));

        var sent = await app.Bus.WaitFor<EmailSent>(e => e.MessageId == id, Deadline);
        Assert.False(sent.DryRun);
        Assert.Equal("smtp", sent.Provider);
        Assert.Equal("Your receipt, Grace", sent.Subject);
        Assert.Equal("sent", await app.Database.ScalarAsync<string>("select status from email.email_jobs where id = $1", id));
        Assert.Equal(1, await app.Database.ScalarAsync<int>("select attempts from email.email_jobs where id = $1", id));
    }

    [Fact]
    public async Task A_campaign_reaches_consenting_contacts_with_unsubscribe_headers_and_nobody_suppressed_or_without_consent()
    {
        var tenant = Guid.NewGuid();
        var ada = EmailClient.Contact(firstName: "Ada");
        var noConsent = EmailClient.Contact(firstName: "Nope", consent: false);
        var suppressed = EmailClient.Contact(firstName: "Gone");
        await app.Contacts(tenant, ada, noConsent, suppressed);
        await app.ClientFor(tenant).PostJson("/api/email/suppressions", $$"""{"email": "{{suppressed.Email!.ToUpperInvariant()}}", "reason": "manual"}""",
            HttpStatusCode.Created);
        var campaign = await app.CampaignAsync(tenant, "News for {{first_name}}", "<html><body><p>Hi {{first_name}}, <a href=\"https://example.com/sale\">sale</a></p></body></html>");
        Assert.Equal(3, await app.FanOutAsync(tenant, campaign, [ada.Id, noConsent.Id, suppressed.Id]));

        var mail = await app.Mail.GetAsync(Assert.Single(await app.Mail.WaitForAsync(ada.Email!)));
        Assert.Equal("News for Ada", mail.Summary.Subject);
        Assert.Contains("Hi Ada", mail.Html);
        Assert.StartsWith("<http://email.test/t/unsubscribe/", mail.Headers["List-Unsubscribe"], StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        // Tracking rewrote the link and added the pixel.
        Assert.Contains("http://email.test/t/c/", mail.Html);
        Assert.DoesNotContain("href=\"https://example.com/sale\"", mail.Html);

        await Eventually.Until(() => app.JobsAsync(campaign, "suppressed"), n => n == 2, Deadline, "both gated emails are recorded as suppressed");
        Assert.Equal("no_consent", await app.Database.ScalarAsync<string>("select error_code from email.email_jobs where contact_id = $1", noConsent.Id));
        Assert.Equal("suppressed", await app.Database.ScalarAsync<string>("select error_code from email.email_jobs where contact_id = $1", suppressed.Id));
        var batch = await app.Bus.WaitFor<EmailBatchSent>(b => b.CampaignId == campaign, Deadline);
        Assert.Equal(ada.Id, Assert.Single(batch.Emails).ContactId);
        Assert.Empty(await app.Mail.ToAsync(noConsent.Email!));
        Assert.Empty(await app.Mail.ToAsync(suppressed.Email!));
    }

    [Fact]
    public async Task A_paused_campaign_sends_nothing_until_it_is_sending_again()
    {
        var tenant = Guid.NewGuid();
        var contacts = Enumerable.Range(0, 3).Select(_ => EmailClient.Contact()).ToArray();
        await app.Contacts(tenant, contacts);
        var campaign = await app.CampaignAsync(tenant, "Paused", "<p>x</p>");
        await app.FanOutAsync(tenant, campaign, contacts.Select(c => c.Id).ToArray(), status: "paused");
        // A lane-0 email queued after the campaign's goes out: the workers ran past the paused emails.
        var probe = MailCatcher.Address();
        await app.ClientFor(tenant).PostJson("/api/email/messages", $$"""{"idempotency_key": "probe", "to": "{{probe}}", "subject": "p", "html": "<p>p</p>"}""",
            HttpStatusCode.Created);
        await app.Mail.WaitForAsync(probe);
        Assert.Equal(3L, await app.JobsAsync(campaign, "queued"));

        await app.Database.ScalarAsync<int>("update email.campaigns set status = 'sending' where id = $1", campaign);
        await Eventually.Until(() => app.JobsAsync(campaign, "sent"), n => n == 3, Deadline, "the resumed campaign is sent");
        foreach (var c in contacts)
            Assert.Single(await app.Mail.WaitForAsync(c.Email!));
    }

    [Fact]
    public async Task A_dry_run_is_rendered_and_recorded_but_never_sent()
    {
        var tenant = Guid.NewGuid();
        var to = MailCatcher.Address();
        var probe = MailCatcher.Address();
        var dry = (await app.ClientFor(tenant).PostJson("/api/email/messages",
            $$$"""{"idempotency_key": "dry", "to": "{{{to}}}", "subject": "Dry {{email}}", "html": "<p>x</p>", "dry_run": true}""", HttpStatusCode.Created)).Id();
        await app.ClientFor(tenant).PostJson("/api/email/messages", $$"""{"idempotency_key": "after", "to": "{{probe}}", "subject": "p", "html": "<p>p</p>"}""",
            HttpStatusCode.Created);

        var sent = await app.Bus.WaitFor<EmailSent>(e => e.MessageId == dry, Deadline);
        Assert.True(sent.DryRun);
        Assert.Equal($"Dry {to}", sent.Subject);
        await app.Mail.WaitForAsync(probe);
        Assert.Equal("dry_run", await app.Database.ScalarAsync<string>("select status from email.email_jobs where id = $1", dry));
        Assert.Empty(await app.Mail.ToAsync(to));
    }

    [Fact]
    public async Task A_strictly_transactional_email_reaches_a_suppressed_address_and_a_transactional_one_does_not()
    {
        var tenant = Guid.NewGuid();
        var to = MailCatcher.Address();
        var client = app.ClientFor(tenant);
        await client.PostJson("/api/email/suppressions", $$"""{"email": "{{to}}", "reason": "hard_bounce"}""", HttpStatusCode.Created);
        var blocked = (await client.PostJson("/api/email/messages",
            $$"""{"idempotency_key": "t", "to": "{{to}}", "subject": "Newsletter-ish", "html": "<p>t</p>"}""", HttpStatusCode.Created)).Id();
        await client.PostJson("/api/email/messages",
            $$"""{"idempotency_key": "s", "to": "{{to}}", "subject": "Reset your password", "html": "<p>s</p>", "category": "strictly_transactional"}""",
            HttpStatusCode.Created);

        var failed = await app.Bus.WaitFor<EmailFailed>(e => e.MessageId == blocked, Deadline);
        Assert.Equal("suppressed", failed.Reason);
        var arrived = await app.Mail.WaitForAsync(to);
        Assert.Equal("Reset your password", Assert.Single(arrived).Subject);
    }
}

using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>Postmark's webhooks (payloads as Postmark's documentation shows them), authenticated with each tenant's basic auth.</summary>
public sealed class Receiving_Postmark_webhooks(EmailApp app) : IClassFixture<EmailApp>
{
    static string Delivery(string messageId, string recipient, Guid? ours = null) => $$"""
        {
          "RecordType": "Delivery",
          "ServerID": 23,
          "MessageStream": "outbound",
          "MessageID": "{{messageId}}",
          "Recipient": "{{recipient}}",
          "Tag": "welcome-email",
          "DeliveredAt": "2026-12-01T13:28:10.2735393-04:00",
          "Details": "Test delivery webhook details",
          "Metadata": {{(ours is null ? "{}" : $$"""{ "message_id": "{{ours}}", "a_key": "a_value" }""")}}
        }
        """;

    static string Bounce(long id, string type, int typeCode, string messageId, string email) => $$"""
        {
          "RecordType": "Bounce",
          "MessageStream": "outbound",
          "ID": {{id}},
          "Type": "{{type}}",
          "TypeCode": {{typeCode}},
          "Name": "{{type}}",
          "Tag": "Test",
          "MessageID": "{{messageId}}",
          "Metadata": { "a_key": "a_value" },
          "ServerID": 1234,
          "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
          "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
          "Email": "{{email}}",
          "From": "sender@example.com",
          "BouncedAt": "2026-12-01T16:33:54.9070259Z",
          "DumpAvailable": true,
          "Inactive": {{(typeCode == 1 ? "true" : "false")}},
          "CanActivate": true,
          "Subject": "Spring news",
          "Content": "Return-Path: <>"
        }
        """;

    [Fact]
    public async Task Setting_the_credentials_shows_the_password_once_and_rotating_them_retires_the_old_ones()
    {
        var tenant = Guid.NewGuid();
        var api = app.ClientFor(tenant);
        await api.GetJson("/api/email/webhooks/postmark", HttpStatusCode.NotFound);

        var set = await api.PutJson("/api/email/webhooks/postmark", """{ "username": "pm-hooks" }""", HttpStatusCode.OK);
        var password = set.GetProperty("password").GetString()!;
        Assert.Equal($"http://pm-hooks:{password}@email.test/webhooks/postmark/{tenant}", set.GetProperty("webhook_url").GetString());
        Assert.Equal($"http://pm-hooks:{password}@email.test/webhooks/postmark/{tenant}/inbound", set.GetProperty("inbound_url").GetString());

        var shown = await api.GetJson("/api/email/webhooks/postmark");
        Assert.Equal("pm-hooks", shown.GetProperty("username").GetString());
        Assert.DoesNotContain(password, shown.GetRawText(), StringComparison.Ordinal);
        Assert.NotEqual(password, await app.Database.ScalarAsync<string>(
            "select encode(password_hash, 'escape') from email.postmark_webhook_credentials where tenant_id = $1", tenant));

        var old = app.CreateClient();
        old.DefaultRequestHeaders.Authorization = TrackingTesting.Basic($"pm-hooks:{password}");
        var message = await app.SentEmailAsync(tenant, providerMessageId: Guid.NewGuid().ToString());
        var body = Delivery(Guid.NewGuid().ToString(), "a@example.com");
        await old.PostJson($"/webhooks/postmark/{tenant}", body, HttpStatusCode.OK);

        await api.PutJson("/api/email/webhooks/postmark", "{}", HttpStatusCode.OK);
        await old.PostJson($"/webhooks/postmark/{tenant}", body, HttpStatusCode.Unauthorized);
        await api.PutJson("/api/email/webhooks/postmark", """{ "username": "has:colon" }""", HttpStatusCode.BadRequest);
        Assert.Equal(0, await app.EventsAsync(message, "delivered"));
    }

    [Fact]
    public async Task A_webhook_without_or_with_wrong_credentials_is_a_401_with_a_basic_challenge_and_changes_nothing()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, providerMessageId: provider);

        var anonymous = await app.CreateClient().PostAsync(path, EmailClient.Body(Delivery(provider, "a@example.com")));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = TrackingTesting.Basic("postmark:guessed");
        await wrong.PostJson(path, Delivery(provider, "a@example.com"), HttpStatusCode.Unauthorized);
        Assert.Equal(0, await app.EventsAsync(message, "delivered"));

        // The right credentials for another tenant's URL are no credentials there.
        var other = Guid.NewGuid();
        await app.PostmarkAsync(other);
        await postmark.PostJson($"/webhooks/postmark/{other}", Delivery(provider, "a@example.com"), HttpStatusCode.Unauthorized);

        await postmark.PostJson(path, "[1, 2]", HttpStatusCode.BadRequest);
        await postmark.PostJson(path, """{ "MessageID": "x" }""", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_delivery_is_recorded_and_published_once_however_often_Postmark_sends_it()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var contact = Guid.NewGuid();
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, contact, "grace@hopper.example", providerMessageId: provider);

        var first = await postmark.PostJson(path, Delivery(provider, "grace@hopper.example"), HttpStatusCode.OK);
        Assert.Equal("recorded", first.GetProperty("outcome").GetString());
        Assert.Equal(message, first.GetProperty("message_id").GetGuid());
        var again = await postmark.PostJson(path, Delivery(provider, "grace@hopper.example"), HttpStatusCode.OK);
        Assert.Equal("duplicate", again.GetProperty("outcome").GetString());

        var delivered = await app.Bus.WaitFor<EmailDelivered>(d => d.MessageId == message);
        Assert.Equal((tenant, contact, "grace@hopper.example"), (delivered.TenantId, delivered.ContactId, delivered.Email));
        Assert.Equal(1, await app.EventsAsync(message, "delivered"));
        // Matched by our id in Metadata when Postmark's MessageID is not one we recorded.
        var byMetadata = await app.SentEmailAsync(tenant);
        await postmark.PostJson(path, Delivery(Guid.NewGuid().ToString(), "x@example.com", byMetadata), HttpStatusCode.OK);
        await app.Bus.WaitFor<EmailDelivered>(d => d.MessageId == byMetadata);

        var unknown = await postmark.PostJson(path, Delivery(Guid.NewGuid().ToString(), "x@example.com"), HttpStatusCode.OK);
        Assert.Equal("unknown_message", unknown.GetProperty("outcome").GetString());
        Assert.Single(app.Bus.Received<EmailDelivered>(), d => d.MessageId == message);
    }

    [Fact]
    public async Task A_hard_bounce_suppresses_the_address_and_a_soft_bounce_does_not()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var (hardAddress, softAddress) = (MailCatcher.Address("gone"), MailCatcher.Address("full"));
        var (hardProvider, softProvider) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var hard = await app.SentEmailAsync(tenant, Guid.NewGuid(), hardAddress, providerMessageId: hardProvider);
        var soft = await app.SentEmailAsync(tenant, Guid.NewGuid(), softAddress, providerMessageId: softProvider);

        await postmark.PostJson(path, Bounce(4201, "HardBounce", 1, hardProvider, hardAddress), HttpStatusCode.OK);
        await postmark.PostJson(path, Bounce(4201, "HardBounce", 1, hardProvider, hardAddress), HttpStatusCode.OK);
        await postmark.PostJson(path, Bounce(4202, "SoftBounce", 4096, softProvider, softAddress), HttpStatusCode.OK);

        var bounced = await app.Bus.WaitFor<EmailBounced>(b => b.MessageId == hard);
        Assert.Equal((true, "HardBounce", hardAddress), (bounced.Hard, bounced.Type, bounced.Email));
        Assert.False((await app.Bus.WaitFor<EmailBounced>(b => b.MessageId == soft)).Hard);
        Assert.Equal("hard_bounce", await app.SuppressionAsync(tenant, hardAddress));
        Assert.Null(await app.SuppressionAsync(tenant, softAddress));
        Assert.Equal(1, await app.EventsAsync(hard, "bounced"));
        Assert.Single(app.Bus.Received<EmailBounced>(), b => b.MessageId == hard);
    }

    [Fact]
    public async Task A_spam_complaint_suppresses_the_address_and_is_published()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var address = MailCatcher.Address("angry");
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid(), address, providerMessageId: provider);

        await postmark.PostJson(path, $$"""
            {
              "RecordType": "SpamComplaint", "MessageStream": "outbound", "ID": 42, "Type": "SpamComplaint", "TypeCode": 512,
              "Name": "Spam complaint", "Tag": "Test", "MessageID": "{{provider}}", "Metadata": { "a_key": "a_value" }, "ServerID": 1234,
              "Description": "", "Details": "Test spam complaint details", "Email": "{{address}}", "From": "sender@example.com",
              "BouncedAt": "2026-11-05T16:33:54.9070259Z", "DumpAvailable": true, "Inactive": true, "CanActivate": false,
              "Subject": "Test subject", "Content": "<Abuse report dump>"
            }
            """, HttpStatusCode.OK);
        await app.Bus.WaitFor<EmailComplained>(c => c.MessageId == message && c.Email == address);
        Assert.Equal("spam_complaint", await app.SuppressionAsync(tenant, address));

        // Postmark follows a complaint with a SubscriptionChange: the same complaint, not another.
        var change = await postmark.PostJson(path, Complaint(provider, address), HttpStatusCode.OK);
        Assert.Equal("duplicate", change.GetProperty("outcome").GetString());
        // A broadcast stream reports complaints only so.
        var (broadcastAddress, broadcastProvider) = (MailCatcher.Address("annoyed"), Guid.NewGuid().ToString());
        var broadcast = await app.SentEmailAsync(tenant, Guid.NewGuid(), broadcastAddress, Guid.NewGuid(), providerMessageId: broadcastProvider);
        await postmark.PostJson(path, Complaint(broadcastProvider, broadcastAddress), HttpStatusCode.OK);
        await app.Bus.WaitFor<EmailComplained>(c => c.MessageId == broadcast);
        Assert.Equal("spam_complaint", await app.SuppressionAsync(tenant, broadcastAddress));
        Assert.Single(app.Bus.Received<EmailComplained>(), c => c.MessageId == message);
        Assert.Equal(1, await app.EventsAsync(message, "complained"));
    }

    static string Complaint(string messageId, string recipient) => $$"""
        {
          "RecordType": "SubscriptionChange", "MessageID": "{{messageId}}", "ServerID": 1234, "MessageStream": "broadcasts",
          "ChangedAt": "2026-12-01T16:34:00Z", "Recipient": "{{recipient}}", "Origin": "Recipient", "SuppressSending": true,
          "SuppressionReason": "SpamComplaint", "Tag": null, "Metadata": {}
        }
        """;

    [Fact]
    public async Task Postmarks_own_opens_and_clicks_become_email_events()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid(), "reader@example.com", providerMessageId: provider);

        await postmark.PostJson(path, $$"""
            {
              "RecordType": "Open", "MessageStream": "outbound", "FirstOpen": true,
              "Client": { "Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome" },
              "OS": { "Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10" },
              "Platform": "WebMail", "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) AppleWebKit/537.36 Chrome/35.0.1916.153 Safari/537.36",
              "ReadSeconds": 5, "Geo": { "CountryISOCode": "RS", "Country": "Serbia", "City": "Novi Sad" },
              "MessageID": "{{provider}}", "Metadata": { "a_key": "a_value" }, "ReceivedAt": "2026-12-01T16:38:00Z", "Tag": "welcome-email",
              "Recipient": "reader@example.com"
            }
            """, HttpStatusCode.OK);
        await postmark.PostJson(path, $$"""
            {
              "RecordType": "Click", "MessageStream": "outbound", "ClickLocation": "HTML",
              "Client": { "Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome" },
              "OS": { "Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10" },
              "Platform": "Desktop", "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) AppleWebKit/537.36 Chrome/35.0.1916.153 Safari/537.36",
              "OriginalLink": "https://example.com/pricing", "Geo": { "CountryISOCode": "RS", "Country": "Serbia" },
              "MessageID": "{{provider}}", "Metadata": {}, "ReceivedAt": "2026-12-01T16:39:00Z", "Tag": "welcome-email", "Recipient": "reader@example.com"
            }
            """, HttpStatusCode.OK);

        var opened = await app.Bus.WaitFor<EmailOpened>(o => o.MessageId == message);
        Assert.True(opened is { First: true, Bot: false });
        Assert.Contains("Chrome/35", opened.UserAgent, StringComparison.Ordinal);
        var clicked = await app.Bus.WaitFor<EmailClicked>(c => c.MessageId == message);
        Assert.Equal("https://example.com/pricing", clicked.Url);
        Assert.Equal("WebMail", await app.Database.ScalarAsync<string>(
            "select details->>'platform' from email.events where message_id = $1 and type = 'opened'", message));
    }

    [Fact]
    public async Task A_subscription_change_that_suppresses_sending_is_an_unsubscribe_and_a_reactivation_changes_nothing()
    {
        var tenant = Guid.NewGuid();
        var (postmark, path, _) = await app.PostmarkAsync(tenant);
        var address = MailCatcher.Address("leaving");
        var provider = Guid.NewGuid().ToString();
        var contact = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant, contact, address, providerMessageId: provider);
        string Change(bool suppress) => $$"""
            {
              "RecordType": "SubscriptionChange", "MessageID": "{{provider}}", "ServerID": 123456, "MessageStream": "broadcasts",
              "ChangedAt": "2026-12-01T10:53:34.416071Z", "Recipient": "{{address}}", "Origin": "Recipient", "SuppressSending": {{(suppress ? "true" : "false")}},
              "SuppressionReason": {{(suppress ? "\"ManualSuppression\"" : "null")}}, "Tag": "my-tag", "Metadata": { "example": "value" }
            }
            """;

        await postmark.PostJson(path, Change(true), HttpStatusCode.OK);
        await postmark.PostJson(path, Change(true), HttpStatusCode.OK);
        var unsubscribed = await app.Bus.WaitFor<EmailUnsubscribed>(u => u.MessageId == message);
        Assert.Equal((contact, "provider", address), (unsubscribed.ContactId, unsubscribed.Source, unsubscribed.Email));
        Assert.Equal("unsubscribe", await app.SuppressionAsync(tenant, address));
        Assert.Equal(1, await app.EventsAsync(message, "unsubscribed"));

        var reactivated = await postmark.PostJson(path, Change(false), HttpStatusCode.OK);
        Assert.Equal("ignored", reactivated.GetProperty("outcome").GetString());
        Assert.Equal("unsubscribe", await app.SuppressionAsync(tenant, address));
        Assert.Single(app.Bus.Received<EmailUnsubscribed>(), u => u.MessageId == message);
    }

    [Fact]
    public async Task A_tenants_webhooks_never_reach_another_tenants_emails()
    {
        var (tenant, other) = (Guid.NewGuid(), Guid.NewGuid());
        var provider = Guid.NewGuid().ToString();
        var address = MailCatcher.Address("owner");
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid(), address, providerMessageId: provider);
        var (otherPostmark, otherPath, _) = await app.PostmarkAsync(other);

        var answer = await otherPostmark.PostJson(otherPath, Bounce(77, "HardBounce", 1, provider, address), HttpStatusCode.OK);
        Assert.Equal("unknown_message", answer.GetProperty("outcome").GetString());
        Assert.Equal(0, await app.EventsAsync(message, "bounced"));
        Assert.Null(await app.SuppressionAsync(tenant, address));
        // The other tenant protects its own list, though: the address bounced for it.
        Assert.Equal("hard_bounce", await app.SuppressionAsync(other, address));
    }
}

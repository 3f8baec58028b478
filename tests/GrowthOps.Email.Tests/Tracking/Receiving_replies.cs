using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>Inbound emails (Postmark's inbound webhook) matched to the sent email they answer; automatic answers are no replies.</summary>
public sealed class Receiving_replies(EmailApp app) : IClassFixture<EmailApp>
{
    static string Inbound(string from, string subject, string text, string headers = "[]", string mailboxHash = "", string to = "reply@inbound.example") => $$"""
        {
          "FromName": "Ada Lovelace",
          "MessageStream": "inbound",
          "From": "{{from}}",
          "FromFull": { "Email": "{{from}}", "Name": "Ada Lovelace", "MailboxHash": "" },
          "To": "{{to}}",
          "ToFull": [ { "Email": "{{to}}", "Name": "", "MailboxHash": "{{mailboxHash}}" } ],
          "Cc": "", "CcFull": [], "Bcc": "", "BccFull": [],
          "OriginalRecipient": "{{to}}",
          "Subject": "{{subject}}",
          "MessageID": "{{Guid.NewGuid()}}",
          "ReplyTo": "",
          "MailboxHash": "{{mailboxHash}}",
          "Date": "Tue, 1 Dec 2026 10:15:22 +0100",
          "TextBody": "{{text}}\n\nOn Mon, the team wrote:\n> Spring news",
          "HtmlBody": "<p>{{text}}</p>",
          "StrippedTextReply": "{{text}}",
          "Tag": "",
          "Headers": {{headers}},
          "Attachments": []
        }
        """;

    [Fact]
    public async Task A_reply_naming_the_sent_email_in_its_references_is_published_as_a_reply()
    {
        var tenant = Guid.NewGuid();
        var (postmark, _, inbound) = await app.PostmarkAsync(tenant);
        var contact = Guid.NewGuid();
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, contact, "ada@lovelace.example", providerMessageId: provider);
        var body = Inbound("ada@lovelace.example", "Re: Spring news", "Yes please, send me the price list.",
            $$"""[ { "Name": "In-Reply-To", "Value": "<{{provider}}@mtasv.net>" }, { "Name": "X-Spam-Status", "Value": "No" } ]""");

        var answer = await postmark.PostJson(inbound, body, HttpStatusCode.OK);
        Assert.Equal("recorded", answer.GetProperty("outcome").GetString());
        var replied = await app.Bus.WaitFor<EmailReplied>(r => r.MessageId == message);
        Assert.Equal((contact, "Re: Spring news", "Yes please, send me the price list."), (replied.ContactId, replied.Subject, replied.Snippet));
        // The reply's Date is +01:00; the event's instant is in UTC, as every contract's (Npgsql refuses other offsets for timestamptz).
        Assert.Equal((TimeSpan.Zero, new DateTimeOffset(2026, 12, 1, 9, 15, 22, TimeSpan.Zero)), (replied.OccurredAt.Offset, replied.OccurredAt));
        Assert.Equal("duplicate", (await postmark.PostJson(inbound, body, HttpStatusCode.OK)).GetProperty("outcome").GetString());
        Assert.Equal(1, await app.EventsAsync(message, "replied"));

        // Our own id in a reply-to address (reply+<id>@…) names the email as well.
        var addressed = await app.SentEmailAsync(tenant, contact, "ada@lovelace.example");
        await postmark.PostJson(inbound, Inbound("ada@lovelace.example", "Question", "What does it cost?", mailboxHash: addressed.ToString(),
            to: $"reply+{addressed}@inbound.example"), HttpStatusCode.OK);
        await app.Bus.WaitFor<EmailReplied>(r => r.MessageId == addressed);
    }

    [Fact]
    public async Task A_reply_that_references_nothing_is_matched_to_the_latest_email_sent_to_its_sender()
    {
        var tenant = Guid.NewGuid();
        var (postmark, _, inbound) = await app.PostmarkAsync(tenant);
        var address = MailCatcher.Address("grace");
        await app.SentEmailAsync(tenant, to: address, sentAt: DateTimeOffset.UtcNow.AddDays(-2));
        var latest = await app.SentEmailAsync(tenant, to: address, sentAt: DateTimeOffset.UtcNow.AddHours(-2));

        await postmark.PostJson(inbound, Inbound(address.ToUpperInvariant(), "AW: Spring news", "Gern!"), HttpStatusCode.OK);
        Assert.Equal("Gern!", (await app.Bus.WaitFor<EmailReplied>(r => r.MessageId == latest)).Snippet);

        // Without a reply's subject nothing is guessed.
        var unmatched = await postmark.PostJson(inbound, Inbound(address, "A new question", "Hello"), HttpStatusCode.OK);
        Assert.Equal("unknown_message", unmatched.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Out_of_office_and_other_automatic_answers_are_recorded_but_not_counted_as_replies()
    {
        var tenant = Guid.NewGuid();
        var (postmark, _, inbound) = await app.PostmarkAsync(tenant);
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid(), "away@example.com", providerMessageId: provider);
        var references = $$"""{ "Name": "References", "Value": "<{{provider}}@mtasv.net>" }""";

        var byHeader = await postmark.PostJson(inbound, Inbound("away@example.com", "Re: Spring news", "I am away until Monday.",
            $$"""[ {{references}}, { "Name": "Auto-Submitted", "Value": "auto-replied" } ]"""), HttpStatusCode.OK);
        Assert.Equal("auto_reply", byHeader.GetProperty("outcome").GetString());
        await postmark.PostJson(inbound, Inbound("away@example.com", "Abwesenheitsnotiz: Spring news", "Ich bin nicht im Büro.", $"[ {references} ]"),
            HttpStatusCode.OK);
        await postmark.PostJson(inbound, Inbound("away@example.com", "Re: Spring news", "Thanks", $$"""[ {{references}}, { "Name": "X-Autoreply", "Value": "yes" } ]"""),
            HttpStatusCode.OK);
        await postmark.PostJson(inbound, Inbound("away@example.com", "Automatic reply: Spring news", "Out of office", $"[ {references} ]"), HttpStatusCode.OK);
        await postmark.PostJson(inbound, Inbound("away@example.com", "Re: Spring news", "Newsletter", $$"""[ {{references}}, { "Name": "Precedence", "Value": "bulk" } ]"""),
            HttpStatusCode.OK);

        Assert.Equal(5, await app.EventsAsync(message, "auto_replied"));
        Assert.Equal(["header:Auto-Submitted", "header:Precedence", "header:X-Autoreply", "subject", "subject"], await app.Database.ColumnAsync<string>(
            $"select details->>'auto_reply_rule' from email.events where message_id = '{message}' order by 1"));
        // A real reply after them is the one published.
        await postmark.PostJson(inbound, Inbound("away@example.com", "Re: Spring news", "Back now: yes, interested.", $"[ {references} ]"), HttpStatusCode.OK);
        await app.Bus.WaitFor<EmailReplied>(r => r.MessageId == message);
        Assert.Single(app.Bus.Received<EmailReplied>(), r => r.MessageId == message);
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "select count(*) from email.events where message_id = $1 and type = 'replied' and details->>'auto_reply_rule' is not null", message));
    }
}

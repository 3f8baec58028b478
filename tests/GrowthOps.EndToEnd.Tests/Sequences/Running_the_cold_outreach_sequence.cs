using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Contracts.Email;

namespace GrowthOps.EndToEnd.Tests.Sequences;

/// <summary>
/// The multi-touch seed's "Cold Outreach Sequence" as written, through Leads, Email, a real SMTP server and Cortex, a day lasting
/// 1.5 s: three leads take its three ways. One answers the first email with an out-of-office (not a reply: the follow-up still
/// goes) and then for real (the sequence stops and Leads marks the lead qualified); one opens the follow-up (the interested
/// branch); one does nothing (the breakup email, then Leads' status unresponsive).
/// </summary>
public sealed partial class Running_the_cold_outreach_sequence(SequencesOverEmail services) : IClassFixture<SequencesOverEmail>
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    static object Step(string type, object fields)
    {
        var node = JsonSerializer.SerializeToNode(fields)!.AsObject();
        node["step_type"] = type;
        return node;
    }

    /// <summary>The example, as the seed writes it; the interested follow-up is step 9.</summary>
    static readonly object ColdOutreach = new
    {
        name = "Cold Outreach Sequence",
        status = "active",
        steps = new[]
        {
            Step("email", new { subject = "Quick question about {{company}}", body = "Hi {{name}}, I noticed...", delay_days = 0 }),
            Step("delay", new { delay_days = 3 }),
            Step("condition", new { condition_type = "if_replied", then = "stop", stop_reason = "qualified", mark_qualified = true, @else = "continue" }),
            Step("email", new { subject = "Following up - {{company}}", body = "Hi {{name}}, just circling back...", delay_days = 0 }),
            Step("delay", new { delay_days = 4 }),
            Step("condition", new { conditions = new[] { "if_replied", "if_opened" }, then = 9, @else = 7 }),
            Step("email", new { subject = "Last email from me", body = "Hi {{name}}, I understand you're busy...", delay_days = 0 }),
            Step("action", new { action_type = "update_status", action_value = new { status = "unresponsive" }, next_step = "complete" }),
            Step("email", new { subject = "Glad it caught your eye, {{first_name}}", body = "Hi {{name}}, shall we talk this week?" }),
        },
    };

    static string Inbound(string from, string subject, string text, Guid repliedTo, string headers = "[]") => $$"""
        {
          "FromName": "", "MessageStream": "inbound", "From": "{{from}}",
          "FromFull": { "Email": "{{from}}", "Name": "", "MailboxHash": "" },
          "To": "reply+{{repliedTo}}@inbound.example",
          "ToFull": [ { "Email": "reply+{{repliedTo}}@inbound.example", "Name": "", "MailboxHash": "{{repliedTo}}" } ],
          "Cc": "", "CcFull": [], "Bcc": "", "BccFull": [], "OriginalRecipient": "reply+{{repliedTo}}@inbound.example",
          "Subject": "{{subject}}", "MessageID": "{{Guid.NewGuid()}}", "ReplyTo": "", "MailboxHash": "{{repliedTo}}",
          "Date": "Fri, 4 Dec 2026 10:15:22 +0100", "TextBody": "{{text}}", "HtmlBody": "<p>{{text}}</p>", "StrippedTextReply": "{{text}}",
          "Tag": "", "Headers": {{headers}}, "Attachments": []
        }
        """;

    [GeneratedRegex("""src="http://email\.test(/t/o/[^"]+)""")]
    private static partial Regex OpenPixel();

    [Fact]
    public async Task Its_three_ways_reply_open_and_silence_end_as_the_seed_says()
    {
        var tenant = Guid.NewGuid();
        var leads = services.Leads.ClientFor(tenant);
        var cortex = services.Cortex.ClientFor(tenant);
        var email = services.Email.ClientFor(tenant);
        // The tenant's pipeline as the example needs it: a state for unresponsive leads, and qualifying from wherever a lead is.
        await Json(await leads.PostAsJsonAsync("/api/leads/states", new { name = "unresponsive", color = "slate", position = 9 }), HttpStatusCode.Created);
        await Json(await leads.PostAsJsonAsync("/api/leads/transitions", new { to_state = "unresponsive" }), HttpStatusCode.Created);
        await Json(await leads.PostAsJsonAsync("/api/leads/transitions", new { to_state = "qualified" }), HttpStatusCode.Created);
        var hooks = await Json(await email.PutAsJsonAsync("/api/email/webhooks/postmark", new { }), HttpStatusCode.OK);
        var inboundUrl = new Uri(hooks.GetProperty("inbound_url").GetString()!);
        var postmark = services.Email.CreateClient();
        postmark.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(inboundUrl.UserInfo))));

        async Task<(Guid Id, string Address)> Lead(string first)
        {
            var address = MailCatcher.Address(first.ToLowerInvariant());
            var id = (await Json(await leads.PostAsJsonAsync("/api/leads/contacts", new { email = address, first_name = first, last_name = "Byron",
                company = $"{first} Engines", marketing_consent = true }), HttpStatusCode.Created)).GetProperty("id").GetGuid();
            return (id, address);
        }

        var (replier, replierAddress) = await Lead("Ada");
        var (opener, openerAddress) = await Lead("Bo");
        var (silent, silentAddress) = await Lead("Cy");
        var sequence = (await Json(await cortex.PostAsJsonAsync("/api/cortex/sequences", ColdOutreach), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        // Cortex keeps its own copy of the contacts, from Leads' events.
        var enrolled = await Eventually.Until(async () => await Json(await cortex.PostAsJsonAsync("/leads/enroll-in-sequence",
                new { sequence_id = sequence, lead_ids = new[] { replier, opener, silent } }), HttpStatusCode.Accepted),
            r => r.GetProperty("not_found").GetInt32() == 0, Deadline, "Cortex knows the three leads");
        Assert.Equal(3, enrolled.GetProperty("enrolled").GetInt32() + enrolled.GetProperty("already_active").GetInt32());

        // Step 1 goes at once, rendered by Email with each lead's fields.
        var first = (await services.Mail.WaitForAsync(replierAddress, timeout: Deadline)).Single();
        Assert.Equal("Quick question about Ada Engines", first.Subject);
        Assert.Contains("Hi Ada Byron, I noticed...", (await services.Mail.GetAsync(first)).Text);
        var firstSent = await services.Bus.WaitFor<EmailSent>(s => s.TenantId == tenant && s.ContactId == replier);

        // An out-of-office answer is not a reply.
        var ooo = await Json(await postmark.PostAsync(inboundUrl.AbsolutePath, new StringContent(Inbound(replierAddress, "Automatic reply: Quick question",
            "I am out of the office until Monday.", firstSent.MessageId, """[ { "Name": "Auto-Submitted", "Value": "auto-replied" } ]"""), Encoding.UTF8,
            "application/json")), HttpStatusCode.OK);
        Assert.Equal("auto_reply", ooo.GetProperty("outcome").GetString());
        var followUp = await services.Mail.WaitForAsync(replierAddress, 2, Deadline);
        Assert.Equal("Following up - Ada Engines", followUp.MaxBy(m => m.ReceivedDate)!.Subject);
        var followUpSent = await services.Bus.WaitFor<EmailSent>(s => s.TenantId == tenant && s.ContactId == replier && s.Subject.StartsWith("Following", StringComparison.Ordinal));
        var reply = await Json(await postmark.PostAsync(inboundUrl.AbsolutePath, new StringContent(Inbound(replierAddress, "Re: Following up - Ada Engines",
            "Yes, let's talk on Tuesday.", followUpSent.MessageId), Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        Assert.Equal("recorded", reply.GetProperty("outcome").GetString());
        await services.Bus.WaitFor<EmailReplied>(r => r.MessageId == followUpSent.MessageId);

        // Bo opens the follow-up: the tracking pixel in the email as sent.
        var boFollowUp = (await services.Mail.WaitForAsync(openerAddress, 2, Deadline)).MaxBy(m => m.ReceivedDate)!;
        var pixel = OpenPixel().Match((await services.Mail.GetAsync(boFollowUp)).Html ?? "").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(pixel), "the follow-up carries an open pixel");
        using var open = new HttpRequestMessage(HttpMethod.Get, pixel);
        open.Headers.UserAgent.ParseAdd("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15");
        Assert.Equal(HttpStatusCode.OK, (await services.Email.CreateClient().SendAsync(open)).StatusCode);

        // Ada: stopped by her reply, and qualified in Leads.
        var adaState = await Eventually.Until(async () => (await Json(await cortex.GetAsync($"/leads/{replier}/sequence-state"), HttpStatusCode.OK))[0],
            e => e.GetProperty("status").GetString() == "stopped", Deadline, "Ada's reply stops her sequence");
        Assert.Equal(("replied", 2, 1), (adaState.GetProperty("stop_reason").GetString(), adaState.GetProperty("emails_sent").GetInt32(),
            adaState.GetProperty("emails_replied").GetInt32()));
        await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/contacts/{replier}"), HttpStatusCode.OK)).GetProperty("lead_state").GetString(),
            s => s == "qualified", Deadline, "Leads marks Ada qualified");

        // Bo: the interested follow-up, and no breakup.
        var boMail = await services.Mail.WaitForAsync(openerAddress, 3, Deadline);
        Assert.Equal("Glad it caught your eye, Bo", boMail.MaxBy(m => m.ReceivedDate)!.Subject);
        // Cy: the breakup email, then unresponsive in Leads.
        var cyMail = await services.Mail.WaitForAsync(silentAddress, 3, Deadline);
        Assert.Equal(["Quick question about Cy Engines", "Following up - Cy Engines", "Last email from me"], cyMail.OrderBy(m => m.ReceivedDate).Select(m => m.Subject));
        await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/contacts/{silent}"), HttpStatusCode.OK)).GetProperty("lead_state").GetString(),
            s => s == "unresponsive", Deadline, "Leads marks Cy unresponsive");

        var analytics = await Eventually.Until(async () => await Json(await cortex.GetAsync($"/api/cortex/sequences/{sequence}/analytics"), HttpStatusCode.OK),
            a => a.GetProperty("completed").GetInt32() == 2, Deadline, "Bo's and Cy's enrolments complete");
        Assert.Equal((3, 1, 8), (analytics.GetProperty("total_enrolled").GetInt32(), analytics.GetProperty("stopped").GetInt32(),
            analytics.GetProperty("emails").GetProperty("sent").GetInt32()));
        Assert.Equal((1, 1), (analytics.GetProperty("emails").GetProperty("replied").GetInt32(), analytics.GetProperty("emails").GetProperty("opened").GetInt32()));
        // After her reply Ada got nothing more; Bo never got the breakup.
        Assert.Equal(2, (await services.Mail.ToAsync(replierAddress)).Count);
        Assert.DoesNotContain(await services.Mail.ToAsync(openerAddress), m => m.Subject == "Last email from me");
    }
}

using System.Diagnostics;
using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Sending;

/// <summary>
/// A broadcast held to its domain's rate (20 emails a second here) takes its time; a transactional email from another
/// domain goes out at once beside it, never queued behind it.
/// </summary>
public sealed class Sending_beside_a_broadcast(ThrottledEmailApp app) : IClassFixture<ThrottledEmailApp>
{
    const int Recipients = 100;

    [Fact]
    public async Task A_transactional_email_is_not_queued_behind_a_throttled_broadcast()
    {
        var tenant = Guid.NewGuid();
        var contacts = Enumerable.Range(0, Recipients).Select(_ => EmailClient.Contact()).ToArray();
        await app.Contacts(tenant, contacts);
        var campaign = await app.CampaignAsync(tenant, "Big", "<p>big</p>", from: "news@broadcast.test");
        var started = Stopwatch.StartNew();
        await app.FanOutAsync(tenant, campaign, contacts.Select(c => c.Id).ToArray());
        await Eventually.Until(() => app.JobsAsync(campaign, "sent"), n => n > 0, TimeSpan.FromSeconds(30), "the broadcast is under way");

        // The default From (growthops.local) is another domain, with its own bucket.
        var to = MailCatcher.Address();
        var queued = Stopwatch.StartNew();
        var id = (await app.ClientFor(tenant).PostJson("/api/email/messages",
            $$"""{"idempotency_key": "urgent", "to": "{{to}}", "subject": "Your code", "html": "<p>123456</p>"}""", HttpStatusCode.Created)).Id();
        await app.Bus.WaitFor<EmailSent>(e => e.MessageId == id, TimeSpan.FromSeconds(30));
        Assert.True(queued.Elapsed < TimeSpan.FromSeconds(3), $"the transactional email took {queued.Elapsed} beside the broadcast");
        Assert.True(await app.JobsAsync(campaign, "queued") > 0, "the broadcast still has emails queued when the transactional one is sent");

        await Eventually.Until(() => app.JobsAsync(campaign, "sent"), n => n == Recipients, TimeSpan.FromSeconds(60), "the broadcast completes");
        // 100 emails at 20 a second, with one second's worth in the bucket at the start: at least 4 seconds.
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds((Recipients - ThrottledEmailApp.DomainRate) / (double)ThrottledEmailApp.DomainRate),
            $"the broadcast took {started.Elapsed}, faster than its domain's rate allows");
    }
}

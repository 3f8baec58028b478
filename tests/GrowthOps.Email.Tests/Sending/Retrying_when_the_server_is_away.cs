using System.Globalization;
using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Sending;

/// <summary>An SMTP server that does not answer: each email is retried with backoff, then failed as <c>gave_up</c> with the last error.</summary>
public sealed class Retrying_when_the_server_is_away(Retrying_when_the_server_is_away.UnreachableSmtpApp app)
    : IClassFixture<Retrying_when_the_server_is_away.UnreachableSmtpApp>
{
    public sealed class UnreachableSmtpApp : EmailApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            // A port nothing listens on: every connection is refused, a transient failure.
            ["Email:Smtp:Port"] = ChildProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Email:Sending:MaxAttempts"] = "3",
            ["Email:Sending:RetryBaseDelay"] = "00:00:00.300",
        };

    }

    [Fact]
    public async Task An_email_that_cannot_be_delivered_for_now_is_retried_and_then_failed_as_gave_up()
    {
        var tenant = Guid.NewGuid();
        var to = MailCatcher.Address();
        var id = (await app.ClientFor(tenant).PostJson("/api/email/messages",
            $$"""{"idempotency_key": "away", "to": "{{to}}", "subject": "s", "html": "<p>h</p>"}""", HttpStatusCode.Created)).Id();

        var failed = await app.Bus.WaitFor<EmailFailed>(e => e.MessageId == id, TimeSpan.FromSeconds(60));
        Assert.Equal("gave_up", failed.Reason);
        Assert.Equal(3, await app.Database.ScalarAsync<int>("select attempts from email.email_jobs where id = $1", id));
        Assert.Equal("failed", await app.Database.ScalarAsync<string>("select status from email.email_jobs where id = $1", id));
        Assert.Contains("3 attempts failed", await app.Database.ScalarAsync<string>("select error from email.email_jobs where id = $1", id));
        Assert.Empty(await app.Mail.ToAsync(to));
    }
}

using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations.Postmark;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Providers;

/// <summary>The Postmark provider against a fake that speaks Postmark's batch API (request and answers as Postmark documents them).</summary>
public sealed class Sending_through_Postmark(ProvidersApp app) : IClassFixture<ProvidersApp>
{
    static readonly Guid Tenant = Guid.NewGuid();

    static OutgoingEmail Email(string to, string category = "transactional", Guid? campaign = null) => new()
    {
        TenantId = Tenant,
        MessageId = Guid.CreateVersion7(),
        CampaignId = campaign,
        Category = category,
        From = "Acme <news@acme.test>",
        To = to,
        Subject = $"Hello {to}",
        Html = "<p>Hello <a href=\"https://acme.test\">there</a></p>",
        Text = "Hello there",
    };

    static string Address() => $"{Guid.NewGuid():N}@example.test";

    PostmarkProvider Provider(string? token = null) =>
        new(app.Services.GetRequiredService<IPostmarkApi>(), token ?? app.Postmark.ServerToken, "outbound", "broadcast");

    IEnumerable<PostmarkFake.BatchRequest> RequestsFor(OutgoingEmail email) =>
        app.Postmark.Requests.Where(r => r.Body.ValueKind == System.Text.Json.JsonValueKind.Array
                                         && r.Messages.Any(m => m.GetProperty("To").GetString() == email.To));

    [Fact]
    public async Task Answers_Postmark_s_message_id_for_each_sent_email_and_a_permanent_failure_with_Postmark_s_code_for_each_refused_one()
    {
        var sent = Email(Address());
        var inactive = Email(Address());
        var invalid = Email(Address());
        var alsoSent = Email(Address());
        app.Postmark.Reject(inactive.To, 406,
            $"You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: {inactive.To}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.");
        app.Postmark.Reject(invalid.To, 300, "Error parsing 'To': Illegal email address.");

        var outcomes = (await Provider().SendAsync([sent, inactive, invalid, alsoSent], CancellationToken.None)).ToDictionary(o => o.MessageId);

        Assert.Equal(4, outcomes.Count);
        Assert.Equal(SendStatus.Sent, outcomes[sent.MessageId].Status);
        Assert.True(Guid.TryParse(outcomes[sent.MessageId].ProviderMessageId, out _));
        Assert.Equal(SendStatus.Sent, outcomes[alsoSent.MessageId].Status);
        Assert.NotEqual(outcomes[sent.MessageId].ProviderMessageId, outcomes[alsoSent.MessageId].ProviderMessageId);
        Assert.Equal((SendStatus.Permanent, "406"), (outcomes[inactive.MessageId].Status, outcomes[inactive.MessageId].ErrorCode));
        Assert.Contains("inactive", outcomes[inactive.MessageId].Error);
        Assert.Equal((SendStatus.Permanent, "300"), (outcomes[invalid.MessageId].Status, outcomes[invalid.MessageId].ErrorCode));
        Assert.Contains("Illegal email address", outcomes[invalid.MessageId].Error);
        Assert.Single(RequestsFor(sent));
    }

    [Fact]
    public async Task Sends_every_field_as_Postmark_names_it_with_Postmark_s_own_tracking_off()
    {
        var campaign = Guid.NewGuid();
        var marketing = Email(Address(), "marketing", campaign);
        marketing.ReplyTo = "support@acme.test";
        marketing.Tag = "Spring news";
        marketing.Headers["List-Unsubscribe"] = "<https://email.test/t/u/abc>";
        marketing.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        var receipt = Email(Address());
        receipt.Text = null;

        await Provider().SendAsync([marketing, receipt], CancellationToken.None);

        var request = Assert.Single(RequestsFor(marketing));
        Assert.Equal(app.Postmark.ServerToken, request.ServerToken);
        Assert.Equal("application/json", request.Accept);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal(2, request.Messages.Count);

        var m = request.Messages[0];
        Assert.Equal(
            ["From", "To", "ReplyTo", "Subject", "HtmlBody", "TextBody", "Headers", "Tag", "MessageStream", "TrackOpens", "TrackLinks", "Metadata"],
            m.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("Acme <news@acme.test>", m.GetProperty("From").GetString());
        Assert.Equal(marketing.To, m.GetProperty("To").GetString());
        Assert.Equal("support@acme.test", m.GetProperty("ReplyTo").GetString());
        Assert.Equal(marketing.Subject, m.GetProperty("Subject").GetString());
        Assert.Equal(marketing.Html, m.GetProperty("HtmlBody").GetString());
        Assert.Equal("Hello there", m.GetProperty("TextBody").GetString());
        Assert.Equal("Spring news", m.GetProperty("Tag").GetString());
        Assert.Equal("broadcast", m.GetProperty("MessageStream").GetString());
        Assert.False(m.GetProperty("TrackOpens").GetBoolean());
        Assert.Equal("None", m.GetProperty("TrackLinks").GetString());
        var headers = m.GetProperty("Headers").EnumerateArray()
            .Select(h => (h.GetProperty("Name").GetString(), h.GetProperty("Value").GetString())).OrderBy(h => h.Item1).ToArray();
        Assert.Equal([("List-Unsubscribe", "<https://email.test/t/u/abc>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")], headers);
        var metadata = m.GetProperty("Metadata");
        Assert.Equal(marketing.MessageId.ToString(), metadata.GetProperty("message_id").GetString());
        Assert.Equal(Tenant.ToString(), metadata.GetProperty("tenant_id").GetString());
        Assert.Equal(campaign.ToString(), metadata.GetProperty("campaign_id").GetString());

        var r = request.Messages[1];
        Assert.Equal("outbound", r.GetProperty("MessageStream").GetString());
        Assert.False(r.TryGetProperty("TextBody", out _));
        Assert.False(r.TryGetProperty("Headers", out _));
        Assert.False(r.TryGetProperty("ReplyTo", out _));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_rate_limit_or_a_Postmark_failure_is_a_transient_failure_of_every_email_and_the_client_does_not_resend_it(int status)
    {
        var batch = new[] { Email(Address()), Email(Address()), Email(Address()) };
        app.Postmark.FailNext(status);

        var outcomes = await Provider().SendAsync(batch, CancellationToken.None);

        Assert.Equal(batch.Select(e => e.MessageId).Order(), outcomes.Select(o => o.MessageId).Order());
        Assert.All(outcomes, o => Assert.Equal(SendStatus.Transient, o.Status));
        Assert.All(outcomes, o => Assert.Null(o.ProviderMessageId));
        // One request: a resend of a POST Postmark may have accepted would send it twice; the pipeline retries after its backoff.
        Assert.Single(RequestsFor(batch[0]));

        var retried = await Provider().SendAsync(batch, CancellationToken.None);
        Assert.All(retried, o => Assert.Equal(SendStatus.Sent, o.Status));
    }

    [Fact]
    public async Task A_wrong_server_token_is_a_permanent_failure_of_every_email_with_Postmark_s_reason()
    {
        var batch = new[] { Email(Address()), Email(Address()) };

        var outcomes = await Provider("not-the-token").SendAsync(batch, CancellationToken.None);

        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal((SendStatus.Permanent, "10"), (o.Status, o.ErrorCode)));
        Assert.All(outcomes, o => Assert.Contains("server token", o.Error, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("not-the-token", Assert.Single(RequestsFor(batch[0])).ServerToken);
    }

    [Fact]
    public async Task Postmark_out_of_reach_is_a_transient_failure_of_every_email()
    {
        // A port nothing listens on (a disposed fake's port can be taken at once by another test's fake).
        var url = $"http://127.0.0.1:{ChildProcess.FreePort()}";
        var api = Refit.RestService.For<IPostmarkApi>(new HttpClient { BaseAddress = new Uri(url) });

        var outcomes = await new PostmarkProvider(api, "token", "outbound", "broadcast").SendAsync([Email(Address()), Email(Address())], CancellationToken.None);

        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(SendStatus.Transient, o.Status));
    }

    [Fact]
    public async Task A_batch_larger_than_Postmark_takes_goes_out_in_calls_of_500()
    {
        var batch = Enumerable.Range(0, 501).Select(_ => Email(Address())).ToArray();

        var outcomes = await Provider().SendAsync(batch, CancellationToken.None);

        Assert.Equal(501, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(SendStatus.Sent, o.Status));
        Assert.Equal(500, Assert.Single(RequestsFor(batch[0])).Messages.Count);
        Assert.Single(Assert.Single(RequestsFor(batch[500])).Messages);
    }
}

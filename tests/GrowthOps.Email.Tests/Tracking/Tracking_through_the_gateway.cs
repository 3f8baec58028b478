using System.Net;
using System.Net.Http.Headers;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>The anonymous routes as recipients and Postmark reach them: through the real gateway, without a token.</summary>
public sealed class Tracking_through_the_gateway(KestrelEmailApp app) : IClassFixture<KestrelEmailApp>
{
    [Fact]
    public async Task The_pixel_the_click_redirect_and_postmarks_basic_auth_pass_the_gateway_without_a_token()
    {
        await using var gateway = await TestGateway.StartAsync("email", app.Address);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.BaseAddress };
        var tenant = Guid.NewGuid();
        var provider = Guid.NewGuid().ToString();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid(), "ada@example.com", providerMessageId: provider);

        var pixel = await http.GetAsync(app.OpenPath(tenant, message));
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal(43, (await pixel.Content.ReadAsByteArrayAsync()).Length);
        var click = await http.GetAsync(app.ClickPath(tenant, message, "https://example.com/offer"));
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        Assert.Equal("https://example.com/offer", click.Headers.Location?.OriginalString);
        await app.Bus.WaitFor<EmailOpened>(o => o.MessageId == message);
        await app.Bus.WaitFor<EmailClicked>(c => c.MessageId == message);

        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/email/webhooks/postmark") { Content = EmailClient.Body("{}") };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));
        var settings = await (await http.SendAsync(put)).Json(HttpStatusCode.OK);
        var userInfo = new Uri(settings.GetProperty("webhook_url").GetString()!).UserInfo;

        var delivery = $$"""{ "RecordType": "Delivery", "MessageID": "{{provider}}", "Recipient": "ada@example.com", "DeliveredAt": "2026-12-01T10:00:00Z", "Metadata": {} }""";
        using var webhook = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/postmark/{tenant}") { Content = EmailClient.Body(delivery) };
        webhook.Headers.Authorization = TrackingTesting.Basic(Uri.UnescapeDataString(userInfo));
        Assert.Equal("recorded", (await (await http.SendAsync(webhook)).Json(HttpStatusCode.OK)).GetProperty("outcome").GetString());
        using var wrong = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/postmark/{tenant}") { Content = EmailClient.Body(delivery) };
        wrong.Headers.Authorization = TrackingTesting.Basic("postmark:wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        await app.Bus.WaitFor<EmailDelivered>(d => d.MessageId == message);
    }
}

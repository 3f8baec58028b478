using System.Net;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>The anonymous open pixel and click redirect: what a recipient's mail client and browser see, and what is recorded.</summary>
public sealed class Tracking_opens_and_clicks(EmailApp app) : IClassFixture<EmailApp>
{
    const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    const string Gmail = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";

    HttpClient Anonymous(string? userAgent = Browser)
    {
        var client = app.CreateClient();
        if (userAgent is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        return client;
    }

    [Fact]
    public async Task Opening_the_pixel_serves_an_uncached_gif_records_the_open_and_publishes_the_first_human_open_as_first()
    {
        var tenant = Guid.NewGuid();
        var contact = Guid.NewGuid();
        var campaign = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant, contact, "ada@lovelace.example", campaign);

        var response = await Anonymous().GetAsync(app.OpenPath(tenant, message));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        var gif = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(43, gif.Length);
        Assert.Equal("GIF89a"u8.ToArray(), gif[..6]);
        Assert.True(response.Headers.CacheControl?.NoStore);

        var opened = await app.Bus.WaitFor<EmailOpened>(o => o.MessageId == message);
        Assert.Equal((tenant, contact, campaign, "ada@lovelace.example", true, false), (opened.TenantId, opened.ContactId, opened.CampaignId, opened.Email,
            opened.First, opened.Bot));
        Assert.Equal(1, await app.EventsAsync(message, "opened"));

        // Another open (another client): recorded, not the first.
        await Anonymous(Gmail).GetAsync(app.OpenPath(tenant, message));
        await Eventually.Until(() => Task.FromResult(app.Bus.Received<EmailOpened>().Count(o => o.MessageId == message)), n => n == 2,
            TimeSpan.FromSeconds(20), "the second open is published");
        var second = app.Bus.Received<EmailOpened>().Single(o => o.MessageId == message && o.UserAgent == Gmail);
        Assert.False(second.First);
        Assert.False(second.Bot);
        Assert.Equal(2, await app.EventsAsync(message, "opened"));
    }

    [Fact]
    public async Task Of_many_simultaneous_opens_exactly_one_is_the_first()
    {
        var tenant = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid());
        var path = app.OpenPath(tenant, message);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Anonymous($"{Browser} client/{i}").GetAsync(path)));

        await Eventually.Until(() => Task.FromResult(app.Bus.Received<EmailOpened>().Count(o => o.MessageId == message)), n => n == 12,
            TimeSpan.FromSeconds(20), "all twelve opens are published");
        Assert.Single(app.Bus.Received<EmailOpened>(), o => o.MessageId == message && o.First);
        Assert.Equal(12, await app.EventsAsync(message, "opened"));
    }

    [Fact]
    public async Task A_click_redirects_to_the_address_the_email_carried_and_records_the_click()
    {
        var tenant = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid());
        const string url = "https://shop.example.com/spring?utm_source=email&x=1";

        var response = await Anonymous().GetAsync(app.ClickPath(tenant, message, url));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(url, response.Headers.Location?.OriginalString);

        var clicked = await app.Bus.WaitFor<EmailClicked>(c => c.MessageId == message);
        Assert.Equal((url, true, false), (clicked.Url, clicked.First, clicked.Bot));
        Assert.Equal(url, await app.Database.ScalarAsync<string>("select url from email.events where message_id = $1 and type = 'clicked'", message));
    }

    [Fact]
    public async Task A_tampered_click_link_is_a_404_and_redirects_nowhere_and_a_tampered_pixel_records_nothing()
    {
        var tenant = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant);
        var path = app.ClickPath(tenant, message, "https://shop.example.com/");
        // The token with its URL part changed (an attacker pointing our domain at theirs) and the signature left as it was.
        var token = path["/t/c/".Length..];
        var forged = app.Tokens().ForClick(tenant, message, "https://evil.example.net/")[..^22] + token[^22..];

        foreach (var bad in new[] { forged, token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], "garbage" })
        {
            var response = await Anonymous().GetAsync($"/t/c/{bad}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var pixel = app.OpenPath(tenant, message);
        var tamperedPixel = await Anonymous().GetAsync(pixel.Replace(".gif", "x.gif", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, tamperedPixel.StatusCode);
        Assert.Equal(43, (await tamperedPixel.Content.ReadAsByteArrayAsync()).Length);

        // A real open after them proves the bad ones were processed and left nothing.
        await Anonymous().GetAsync(pixel);
        await app.Bus.WaitFor<EmailOpened>(o => o.MessageId == message);
        Assert.Equal(1, await app.EventsAsync(message, "opened"));
        Assert.Equal(0, await app.EventsAsync(message, "clicked"));
    }

    [Fact]
    public async Task Prefetchers_scanners_head_requests_and_instant_clicks_are_recorded_as_bots_and_a_gmail_proxy_open_is_a_person()
    {
        var tenant = Guid.NewGuid();
        var message = await app.SentEmailAsync(tenant, Guid.NewGuid());
        const string url = "https://example.com/offer";

        // Apple Mail Privacy Protection preloads with a bare "Mozilla/5.0"; Microsoft's link scanner announces itself.
        await Anonymous("Mozilla/5.0").GetAsync(app.OpenPath(tenant, message));
        await Anonymous("Mozilla/4.0 (compatible; ms-office; MSOffice 16)").GetAsync(app.ClickPath(tenant, message, url));
        using var head = new HttpRequestMessage(HttpMethod.Head, app.ClickPath(tenant, message, url + "?head"));
        head.Headers.TryAddWithoutValidation("User-Agent", Browser);
        Assert.Equal(HttpStatusCode.Redirect, (await app.Server.CreateClient().SendAsync(head)).StatusCode);
        await Anonymous(Gmail).GetAsync(app.OpenPath(tenant, message));

        await Eventually.Until(() => Task.FromResult(app.Bus.Received<EmailOpened>().Count(o => o.MessageId == message)
                                                     + app.Bus.Received<EmailClicked>().Count(c => c.MessageId == message)), n => n == 4,
            TimeSpan.FromSeconds(20), "four hits are published");
        var opens = app.Bus.Received<EmailOpened>().Where(o => o.MessageId == message).ToList();
        Assert.True(opens.Single(o => o.UserAgent == "Mozilla/5.0") is { Bot: true, First: false });
        // The first open by a person is the first, although a bot's came before it.
        Assert.True(opens.Single(o => o.UserAgent == Gmail) is { Bot: false, First: true });
        Assert.All(app.Bus.Received<EmailClicked>().Where(c => c.MessageId == message), c => Assert.True(c is { Bot: true, First: false }));
        Assert.Equal(["apple_privacy_proxy", "head_request", "scanner"], await app.Database.ColumnAsync<string>(
            $"select details->>'bot_rule' from email.events where message_id = '{message}' and bot order by 1"));

        // A click a second after sending is a scanner following the link on arrival.
        var fresh = await app.SentEmailAsync(tenant, Guid.NewGuid(), sentAt: DateTimeOffset.UtcNow);
        await Anonymous().GetAsync(app.ClickPath(tenant, fresh, url));
        Assert.True((await app.Bus.WaitFor<EmailClicked>(c => c.MessageId == fresh)).Bot);
        Assert.Equal("too_fast", await app.Database.ScalarAsync<string>("select details->>'bot_rule' from email.events where message_id = $1", fresh));
    }

    [Fact]
    public async Task A_link_signed_for_one_tenant_records_nothing_in_another_tenants_email()
    {
        var (tenant, other) = (Guid.NewGuid(), Guid.NewGuid());
        var message = await app.SentEmailAsync(tenant);
        // A genuine token of the other tenant naming this tenant's email: the email is not the other tenant's to see.
        await Anonymous().GetAsync(app.OpenPath(other, message));
        var response = await Anonymous().GetAsync(app.ClickPath(other, message, "https://example.com/"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        await Anonymous().GetAsync(app.OpenPath(tenant, message));
        await app.Bus.WaitFor<EmailOpened>(o => o.MessageId == message);
        Assert.Equal(1, await app.EventsAsync(message, "opened"));
        Assert.Equal(0, await app.EventsAsync(message, "clicked"));
        Assert.DoesNotContain(app.Bus.Received<EmailOpened>(), o => o.TenantId == other);
    }
}

using System.Text.RegularExpressions;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Domain.Tracking;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>The tracking decorator alone: what it does to an email's HTML, and the signed links it writes.</summary>
public sealed partial class Decorating_emails_for_tracking
{
    static readonly Guid Tenant = Guid.NewGuid();
    const string Base = "https://mail.example.com";

    static (TrackingDecorator Decorator, TrackingToken Tokens) Create()
    {
        var email = Options.Create(new EmailOptions { PublicBaseUrl = Base, LinkSigningKey = "a-test-signing-key-of-at-least-32-characters" });
        var tokens = new TrackingToken(email);
        return (new TrackingDecorator(tokens, email, Options.Create(new TrackingOptions())), tokens);
    }

    static OutgoingEmail Email(string html, bool opens = true, bool links = true) => new()
    {
        TenantId = Tenant, MessageId = Guid.NewGuid(), Category = "marketing", From = "news@example.com", To = "ada@example.com", Subject = "Hi",
        Html = html, TrackOpens = opens, TrackLinks = links,
    };

    [GeneratedRegex("href=[\"'](?<url>[^\"']*)[\"']")]
    private static partial Regex Href();

    [Fact]
    public void Appends_the_open_pixel_inside_the_body_and_rewrites_web_links_to_signed_redirects()
    {
        var (decorator, tokens) = Create();
        var email = Email("""
            <html><body><p>Hello</p>
            <a href="https://shop.example.com/spring?utm=a&amp;b=2">Shop</a>
            <a class="btn" href='http://example.org/x'>Plain http</a>
            <a href="mailto:help@example.com">Mail us</a> <a href="#top">Top</a> <a href="tel:+4930123">Call</a>
            <a href="https://mail.example.com/t/unsubscribe/abc.def">Unsubscribe</a>
            </body></html>
            """);
        decorator.Decorate(email);

        var hrefs = Href().Matches(email.Html).Select(m => m.Groups["url"].Value).ToList();
        var tracked = hrefs.Where(h => h.StartsWith($"{Base}/t/c/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, tracked.Count);
        // The browser's address (entities decoded) is what the token signs and the redirect goes to.
        var shop = tokens.Verify(TrackingToken.Click, tracked[0][$"{Base}/t/c/".Length..]);
        Assert.Equal("https://shop.example.com/spring?utm=a&b=2", shop!.Url);
        Assert.Equal(Tenant, shop.TenantId);
        Assert.Equal(email.MessageId, shop.MessageId);
        Assert.Contains("href='https://mail.example.com/t/c/", email.Html, StringComparison.Ordinal);
        Assert.Contains("""href="mailto:help@example.com" """.TrimEnd(), email.Html, StringComparison.Ordinal);
        Assert.Contains("""href="#top" """.TrimEnd(), email.Html, StringComparison.Ordinal);
        Assert.Contains("""href="tel:+4930123" """.TrimEnd(), email.Html, StringComparison.Ordinal);
        Assert.Contains("""href="https://mail.example.com/t/unsubscribe/abc.def" """.TrimEnd(), email.Html, StringComparison.Ordinal);

        var pixel = Regex.Match(email.Html, """<img src="https://mail\.example\.com/t/o/(?<token>[A-Za-z0-9_-]+)\.gif" width="1" height="1"[^>]*/></body>""");
        Assert.True(pixel.Success, email.Html);
        Assert.Equal(email.MessageId, tokens.Verify(TrackingToken.Open, pixel.Groups["token"].Value)!.MessageId);
    }

    [Fact]
    public void Leaves_the_email_alone_when_tracking_is_off_and_appends_the_pixel_to_html_without_a_body()
    {
        var (decorator, _) = Create();
        const string html = """<p><a href="https://example.com">x</a></p>""";
        var untracked = Email(html, opens: false, links: false);
        decorator.Decorate(untracked);
        Assert.Equal(html, untracked.Html);

        var fragment = Email(html, links: false);
        decorator.Decorate(fragment);
        Assert.StartsWith(html + "<img src=\"https://mail.example.com/t/o/", fragment.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_changed_in_any_way_or_used_for_another_purpose_does_not_verify()
    {
        var (_, tokens) = Create();
        var click = tokens.ForClick(Tenant, Guid.NewGuid(), "https://example.com/a");
        Assert.NotNull(tokens.Verify(TrackingToken.Click, click));
        // Every single-character change, anywhere, breaks it (including the URL inside: no open redirect).
        for (var i = 0; i < click.Length; i++)
        {
            var changed = click[..i] + (click[i] == 'A' ? 'B' : 'A') + click[(i + 1)..];
            Assert.Null(tokens.Verify(TrackingToken.Click, changed));
        }

        var open = tokens.ForOpen(Tenant, Guid.NewGuid());
        Assert.Null(tokens.Verify(TrackingToken.Click, open));
        Assert.Null(tokens.Verify(TrackingToken.Open, click));
        Assert.Null(tokens.Verify(TrackingToken.Click, "not base64 at all!"));
        // Another key (another deployment) signs other tokens.
        var other = new TrackingToken(Options.Create(new EmailOptions { LinkSigningKey = "another-signing-key-of-at-least-32-characters" }));
        Assert.Null(other.Verify(TrackingToken.Click, click));
    }
}

using System.Net;
using GrowthOps.Contracts.Email;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Email.Domain.Unsubscribing;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Apis;

/// <summary>The unsubscribe link and RFC 8058 headers of marketing mail, and the anonymous endpoints they lead to.</summary>
public sealed class Unsubscribing(EmailApp app) : IClassFixture<EmailApp>
{
    static OutgoingEmail Email(Guid tenant, Guid messageId, string to, string category, string html = "<html><body><p>News</p></body></html>",
        string? text = "News") => new()
    {
        TenantId = tenant, MessageId = messageId, Category = category, From = "news@shop.example", To = to, Subject = "News", Html = html, Text = text,
    };

    IEmailDecorator[] Decorators => app.Services.GetServices<IEmailDecorator>().ToArray();

    /// <summary>A queued marketing email to a contact, decorated as the pipeline would; its unsubscribe link's path.</summary>
    async Task<(Guid MessageId, string Path)> MarketingEmail(Guid tenant, ContactSnapshotLike contact)
    {
        var message = await app.ClientFor(tenant).Send(
            $$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "contact_id": "{{contact.Id}}", "subject": "News", "html": "<p>News</p>", "category": "marketing"}""");
        var email = Email(tenant, message.Id(), contact.Email, "marketing");
        app.Services.GetRequiredService<UnsubscribeDecorator>().Decorate(email);
        var url = email.Headers["List-Unsubscribe"].Trim('<', '>');
        return (message.Id(), new Uri(url).AbsolutePath);
    }

    sealed record ContactSnapshotLike(Guid Id, string Email);

    async Task<ContactSnapshotLike> Contact(Guid tenant)
    {
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        return new ContactSnapshotLike(contact.Id, contact.Email!);
    }

    static FormUrlEncodedContent OneClick() => new([new("List-Unsubscribe", "One-Click")]);

    [Fact]
    public async Task Marketing_mail_gets_a_signed_link_and_the_one_click_headers_and_transactional_mail_none()
    {
        var tenant = Guid.NewGuid();
        var to = MailCatcher.Address();
        Assert.IsType<UnsubscribeDecorator>(Decorators[0]);

        var marketing = Email(tenant, Guid.NewGuid(), to, "marketing");
        app.Services.GetRequiredService<UnsubscribeDecorator>().Decorate(marketing);
        var header = marketing.Headers["List-Unsubscribe"];
        Assert.Matches(@"^<http://email\.test/t/unsubscribe/[A-Za-z0-9_-]+>$", header);
        var url = header.Trim('<', '>');
        Assert.Equal("List-Unsubscribe=One-Click", marketing.Headers["List-Unsubscribe-Post"]);
        Assert.Contains($"<a href=\"{url}\">Unsubscribe</a>", marketing.Html, StringComparison.Ordinal);
        Assert.EndsWith("</p></body></html>", marketing.Html, StringComparison.Ordinal);
        Assert.Contains($"Unsubscribe: {url}", marketing.Text, StringComparison.Ordinal);

        // Where the template placed the link ({{unsubscribe_url}} renders as the placeholder), it goes there and nowhere else.
        var placed = Email(tenant, Guid.NewGuid(), to, "marketing", html: $"<a href=\"{UnsubscribeLinks.Placeholder}\">Leave</a>", text: null);
        app.Services.GetRequiredService<UnsubscribeDecorator>().Decorate(placed);
        Assert.Matches(@"^<a href=""http://email\.test/t/unsubscribe/[A-Za-z0-9_-]+"">Leave</a>$", placed.Html);

        foreach (var category in new[] { "transactional", "strictly_transactional" })
        {
            var receipt = Email(tenant, Guid.NewGuid(), to, category, html: $"<p>Receipt</p>{UnsubscribeLinks.Placeholder}");
            app.Services.GetRequiredService<UnsubscribeDecorator>().Decorate(receipt);
            Assert.Empty(receipt.Headers);
            Assert.Equal("<p>Receipt</p>", receipt.Html);
            Assert.Equal("News", receipt.Text);
        }
    }

    [Fact]
    public void A_template_places_the_link_with_the_unsubscribe_url_merge_field()
    {
        var renderer = app.Services.GetRequiredService<TemplateRenderer>();
        var to = MailCatcher.Address();
        var model = MergeFields.For(null, to, null);
        var email = Email(Guid.NewGuid(), Guid.NewGuid(), to, "marketing",
            html: renderer.RenderHtml("<p>Hi {{email}}</p><a href=\"{{unsubscribe_url}}\">Stop these</a>", model),
            text: renderer.RenderPlain("Stop these: {{unsubscribe_url}}", model));

        app.Services.GetRequiredService<UnsubscribeDecorator>().Decorate(email);

        var url = email.Headers["List-Unsubscribe"].Trim('<', '>');
        Assert.Equal($"<p>Hi {to}</p><a href=\"{url}\">Stop these</a>", email.Html);
        Assert.Equal($"Stop these: {url}", email.Text);
    }

    [Fact]
    public async Task The_link_shows_a_confirmation_and_a_one_click_post_unsubscribes_once()
    {
        var tenant = Guid.NewGuid();
        var contact = await Contact(tenant);
        var (messageId, path) = await MarketingEmail(tenant, contact);
        var anonymous = app.CreateClient();

        // A GET (what link scanners do) only asks.
        var page = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(contact.Email, html, StringComparison.Ordinal);
        Assert.Contains($"<form method=\"post\" action=\"{path}\">", html, StringComparison.Ordinal);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.suppressions where tenant_id = $1", tenant));

        var done = await anonymous.PostAsync(path, OneClick());
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var unsubscribed = await app.Bus.WaitFor<EmailUnsubscribed>(u => u.MessageId == messageId, TimeSpan.FromSeconds(30));
        Assert.Equal("one_click", unsubscribed.Source);
        Assert.Equal(contact.Id, unsubscribed.ContactId);
        Assert.Equal(tenant, unsubscribed.TenantId);
        Assert.Equal(contact.Email, unsubscribed.Email);
        var entry = await app.ClientFor(tenant).GetJson($"/api/email/suppressions/{contact.Email}");
        Assert.Equal("unsubscribe", entry.GetProperty("reason").GetString());
        Assert.Equal(messageId, entry.GetProperty("message_id").GetGuid());
        var events = (await app.ClientFor(tenant).GetJson($"/api/email/messages/{messageId}")).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("unsubscribed", Assert.Single(events).GetProperty("type").GetString());

        // Again (a second click, the form after the one-click): the same answer, nothing more recorded or announced.
        var second = await anonymous.PostAsync(path, new FormUrlEncodedContent([new("confirm", "yes")]));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await done.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from email.events where message_id = $1", messageId));
        // A later unsubscribe of another email is announced: once it arrives, a second one of the first would have too.
        var (otherMessage, otherPath) = await MarketingEmail(tenant, contact);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(otherPath, new FormUrlEncodedContent([new("confirm", "yes")]))).StatusCode);
        Assert.Equal("link", (await app.Bus.WaitFor<EmailUnsubscribed>(u => u.MessageId == otherMessage, TimeSpan.FromSeconds(30))).Source);
        Assert.Single(app.Bus.Received<EmailUnsubscribed>(), u => u.MessageId == messageId);
    }

    [Fact]
    public async Task A_forged_or_altered_link_is_refused_and_unsubscribes_nobody()
    {
        var tenant = Guid.NewGuid();
        var contact = await Contact(tenant);
        var (_, path) = await MarketingEmail(tenant, contact);
        var token = path[UnsubscribeLinks.PathPrefix.Length..];
        var anonymous = app.CreateClient();
        var flipped = token[..40] + (token[40] == 'A' ? 'B' : 'A') + token[41..];
        // Another key signs another deployment's links: a token made with it must not pass here.
        var foreign = new UnsubscribeToken(Microsoft.Extensions.Options.Options.Create(new EmailOptions { LinkSigningKey = new string('x', 40) }))
            .Create(tenant, Guid.NewGuid(), contact.Email);

        foreach (var bad in new[] { flipped, token[..^2], "not-a-token", foreign, token + "AA" })
        {
            var get = await anonymous.GetAsync(UnsubscribeLinks.PathPrefix + bad);
            Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
            Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsync(UnsubscribeLinks.PathPrefix + bad, OneClick())).StatusCode);
        }

        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.suppressions where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task An_unsubscribe_stays_in_the_tenant_of_its_link()
    {
        var (tenant, other) = (Guid.NewGuid(), Guid.NewGuid());
        var contact = await Contact(tenant);
        var (_, path) = await MarketingEmail(tenant, contact);

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().PostAsync(path, OneClick())).StatusCode);

        await app.ClientFor(tenant).GetJson($"/api/email/suppressions/{contact.Email}");
        await app.ClientFor(other).GetJson($"/api/email/suppressions/{contact.Email}", HttpStatusCode.NotFound);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from email.suppressions where email = lower($1)", contact.Email));
    }
}

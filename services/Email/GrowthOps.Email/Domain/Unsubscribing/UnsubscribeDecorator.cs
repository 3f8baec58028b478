using System.Net;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Domain.Transactional;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Unsubscribing;

/// <summary>
/// Gives every marketing email its signed unsubscribe link — where the template put <see cref="UnsubscribeLinks.Placeholder"/>,
/// else in a footer appended to the HTML and text bodies — and the RFC 8058 headers (<c>List-Unsubscribe</c> with the same
/// link, <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>) that mailbox providers show as their own unsubscribe
/// button. Transactional mail gets none: it is not something one can opt out of. Registered before the tracking decorator.
/// </summary>
public sealed class UnsubscribeDecorator(UnsubscribeToken tokens, IOptions<EmailOptions> email, IOptions<TransactionalOptions> transactional)
    : IEmailDecorator
{
    readonly string baseUrl = email.Value.PublicBaseUrl.TrimEnd('/') + UnsubscribeLinks.PathPrefix;
    readonly string? mailto = transactional.Value.UnsubscribeMailto is { Length: > 0 } address ? $"mailto:{address}?subject=unsubscribe" : null;

    public string UrlFor(Guid tenantId, Guid messageId, string to) => baseUrl + tokens.Create(tenantId, messageId, to);

    public void Decorate(OutgoingEmail email)
    {
        ArgumentNullException.ThrowIfNull(email);
        // Placeholders are removed whatever the category, so a transactional send of a marketing template shows no marker.
        if (email.Category != EmailCategories.Marketing)
        {
            email.Html = email.Html.Replace(UnsubscribeLinks.Placeholder, "", StringComparison.Ordinal);
            email.Text = email.Text?.Replace(UnsubscribeLinks.Placeholder, "", StringComparison.Ordinal);
            return;
        }

        var url = UrlFor(email.TenantId, email.MessageId, email.To);
        if (email.Html.Contains(UnsubscribeLinks.Placeholder, StringComparison.Ordinal))
            email.Html = email.Html.Replace(UnsubscribeLinks.Placeholder, url, StringComparison.Ordinal);
        else
            email.Html = WithFooter(email.Html, url);
        if (email.Text is { } text)
            email.Text = text.Contains(UnsubscribeLinks.Placeholder, StringComparison.Ordinal)
                ? text.Replace(UnsubscribeLinks.Placeholder, url, StringComparison.Ordinal)
                : $"{text.TrimEnd()}\r\n\r\n--\r\nUnsubscribe: {url}\r\n";
        email.Headers[UnsubscribeLinks.ListUnsubscribe] = mailto is null ? $"<{url}>" : $"<{url}>, <{mailto}>";
        email.Headers[UnsubscribeLinks.ListUnsubscribePost] = UnsubscribeLinks.OneClick;
    }

    static string WithFooter(string html, string url)
    {
        var footer = $"""<p style="font-size:12px;color:#777777;margin-top:24px">Don't want these emails? <a href="{WebUtility.HtmlEncode(url)}">Unsubscribe</a>.</p>""";
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? html + footer : html.Insert(end, footer);
    }
}

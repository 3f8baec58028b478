using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using GrowthOps.Email.Domain.Sending;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Open and click tracking, after the unsubscribe decorator: appends the 1×1 open pixel (<see cref="OutgoingEmail.TrackOpens"/>)
/// and points every http(s) link of the HTML at the signed click redirect (<see cref="OutgoingEmail.TrackLinks"/>). Left as
/// they are: mailto:, tel:, anchors and other schemes, the unsubscribe link (a scanner following a tracked unsubscribe link
/// would look like a click, and RFC 8058 clients need the real one), links already on our tracking routes, and links longer
/// than <see cref="TrackingOptions.MaxTrackedUrlLength"/>. The text body is left alone. One regex pass over the HTML and
/// one HMAC per link: microseconds per email (see the README's figures).
/// </summary>
public sealed partial class TrackingDecorator(TrackingToken tokens, IOptions<EmailOptions> email, IOptions<TrackingOptions> tracking) : IEmailDecorator
{
    readonly string baseUrl = email.Value.PublicBaseUrl.TrimEnd('/');
    readonly int maxUrl = tracking.Value.MaxTrackedUrlLength;

    [GeneratedRegex("""<a\s[^>]*?\bhref\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)')""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnchorHref();

    public void Decorate(OutgoingEmail email)
    {
        if (email.TrackLinks)
            email.Html = RewriteLinks(email.TenantId, email.MessageId, email.Html);
        if (email.TrackOpens)
            email.Html = AppendPixel(email.Html, $"{baseUrl}/t/o/{tokens.ForOpen(email.TenantId, email.MessageId)}.gif");
    }

    string RewriteLinks(Guid tenantId, Guid messageId, string html)
    {
        StringBuilder? output = null;
        var copied = 0;
        foreach (Match match in AnchorHref().Matches(html))
        {
            var group = match.Groups["url"];
            if (Tracked(group.Value) is not { } url)
                continue;
            output ??= new StringBuilder(html.Length + 256);
            output.Append(html, copied, group.Index - copied);
            output.Append(baseUrl).Append("/t/c/").Append(tokens.ForClick(tenantId, messageId, url));
            copied = group.Index + group.Length;
        }

        return output is null ? html : output.Append(html, copied, html.Length - copied).ToString();
    }

    /// <summary>The address a browser would follow (entities decoded), when it is one to track.</summary>
    string? Tracked(string raw)
    {
        var url = (raw.Contains('&') ? WebUtility.HtmlDecode(raw) : raw).Trim();
        if (!(url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            return null;
        if (url.Length > maxUrl || url.Contains("/t/unsubscribe/", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith(baseUrl + "/t/", StringComparison.OrdinalIgnoreCase))
            return null;
        return url;
    }

    static string AppendPixel(string html, string src)
    {
        var pixel = $"""<img src="{src}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />""";
        var body = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return body < 0 ? html + pixel : string.Concat(html.AsSpan(0, body), pixel, html.AsSpan(body));
    }
}

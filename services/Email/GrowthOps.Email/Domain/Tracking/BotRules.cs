namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Whether a hit on the pixel or a click redirect is a machine's, and by which rule (stored in the event's details as
/// <c>bot_rule</c>). A bot's hit is recorded and published with <c>Bot = true</c>, and never counts as the first open or
/// click. The rules, in order:
/// <list type="number">
/// <item><c>head_request</c>: a HEAD (link checkers and scanners ask whether the address exists; a mail client GETs).</item>
/// <item><c>no_user_agent</c>: no User-Agent at all.</item>
/// <item>Image proxies that fetch only when the person opens the email are real opens: <c>GoogleImageProxy</c> (Gmail),
/// <c>YahooMailProxy</c>.</item>
/// <item><c>apple_privacy_proxy</c>: the User-Agent is exactly <c>Mozilla/5.0</c>, what Apple Mail Privacy Protection sends
/// when it preloads every image on delivery, whether or not the email is ever read.</item>
/// <item><c>scanner</c>: a known prefetcher or security scanner in the User-Agent (Microsoft Safe Links / Office link
/// previews, BingPreview, Barracuda, Mimecast, Proofpoint, Symantec, Trend Micro, Forcepoint, crawlers and HTTP libraries…).</item>
/// <item><c>too_fast</c> (clicks only): within <see cref="TrackingOptions.BotClickWindow"/> of sending.</item>
/// </list>
/// </summary>
public static class BotRules
{
    static readonly string[] RealProxies = ["GoogleImageProxy", "YahooMailProxy"];

    static readonly string[] Scanners =
    [
        "bot", "crawler", "spider", "preview", "scanner", "BingPreview", "Microsoft Office", "MSOffice", "ms-office", "Microsoft-WebDAV",
        "Barracuda", "Mimecast", "Proofpoint", "Symantec", "Trend Micro", "TrendMicro", "Forcepoint", "Sophos", "FireEye", "Cisco",
        "IronPort", "Zscaler", "SafeLinks", "facebookexternalhit", "WhatsApp", "Slack", "Discord", "HeadlessChrome", "PhantomJS",
        "python-requests", "python-urllib", "aiohttp", "curl/", "Wget", "Go-http-client", "Java/", "okhttp", "libwww-perl", "axios",
        "node-fetch", "HttpClient",
    ];

    /// <param name="sinceSent">Time from sending to this hit, for clicks; null for opens or when the send time is unknown.</param>
    public static string? Classify(string method, string? userAgent, TimeSpan? sinceSent, TimeSpan clickWindow)
    {
        if (HttpMethods.IsHead(method))
            return "head_request";
        if (string.IsNullOrWhiteSpace(userAgent))
            return "no_user_agent";
        var ua = userAgent.Trim();
        if (!RealProxies.Any(p => ua.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            if (ua == "Mozilla/5.0")
                return "apple_privacy_proxy";
            if (Scanners.Any(s => ua.Contains(s, StringComparison.OrdinalIgnoreCase)))
                return "scanner";
        }

        return sinceSent is { } elapsed && elapsed < clickWindow ? "too_fast" : null;
    }
}

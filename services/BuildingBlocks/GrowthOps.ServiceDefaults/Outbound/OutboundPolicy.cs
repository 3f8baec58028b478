using System.Net;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// What a tenant-supplied URL may be, checked when it is stored (an API answers a refusal as a validation problem) and again
/// by <see cref="OutboundHandler"/> on every hop and every address a host name resolves to. Any port is allowed: the
/// addresses are what keep calls away from internal services, and a public host is reachable on all its ports anyway, while
/// receivers on 8443 or 8080 are common.
/// </summary>
public sealed class OutboundPolicy(IOptions<OutboundOptions> options)
{
    OutboundOptions Options => options.Value;

    /// <summary>Why the URL may not be called, phrased to follow the field's name (<c>"must be an https URL"</c>), or null.</summary>
    public string? WhyRefused(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
            return "must be an absolute URL";
        if (url.Scheme != Uri.UriSchemeHttps && !(Options.AllowHttp && url.Scheme == Uri.UriSchemeHttp))
            return Options.AllowHttp ? "must be an http or https URL" : "must be an https URL";
        // A user name and password would be sent as Basic credentials to whoever answers (and kept in logs and history).
        if (url.UserInfo.Length > 0)
            return "must not contain a user name or password";

        // Uri has already read the IPv4 spellings resolvers accept (2130706433, 0x7f.1, 0177.0.0.1, 127.1) as addresses.
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal))
            return WhyRefused(literal) is { } why ? $"must not point at {literal}: {why}" : null;

        // RFC 6761: localhost and its subdomains are loopback by definition, whatever a resolver says.
        var host = url.IdnHost.TrimEnd('.');
        if (!Options.AllowLoopback && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
                                      host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
            return $"must not point at {host}: a loopback address";
        return null;
    }

    /// <summary>Why the address may not be connected to, or null.</summary>
    public string? WhyRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Options.AllowLoopback && OutboundAddresses.IsLoopback(address) ? null : OutboundAddresses.WhyForbidden(address);
    }
}

using System.Net;
using System.Net.Sockets;

namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// Which IP addresses a call to a tenant-supplied URL must never reach: everything that is not a public unicast address
/// (the IANA special-purpose registries, RFC 6890), plus the cloud metadata endpoints. IPv6 forms that carry an IPv4 address
/// (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address inside.
/// </summary>
public static class OutboundAddresses
{
    /// <summary>Instance metadata and host agents: credentials live there. Most are also in a range below; named for the message.</summary>
    static readonly IPAddress[] Metadata =
    [
        IPAddress.Parse("169.254.169.254"), // AWS, Azure, GCP, Oracle, DigitalOcean…
        IPAddress.Parse("169.254.170.2"), // AWS ECS task credentials
        IPAddress.Parse("100.100.100.200"), // Alibaba Cloud
        IPAddress.Parse("168.63.129.16"), // Azure WireServer: a public address that only the host answers
        IPAddress.Parse("fd00:ec2::254"), // AWS over IPv6
    ];

    static readonly (IPNetwork Network, string Kind)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address (IETF protocol assignments)"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address"),
        (IPNetwork.Parse("192.88.99.0/24"), "a reserved address (6to4 relay)"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "a reserved address (benchmarking)"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("255.255.255.255/32"), "the broadcast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
    ];

    /// <summary>Outside 2000::/3 (global unicast) everything is special; these are the special parts inside it.</summary>
    static readonly (IPNetwork Network, string Kind)[] V6 =
    [
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("3fff::/20"), "a documentation address"),
        (IPNetwork.Parse("2001::/23"), "a reserved address (IETF protocol assignments)"),
    ];

    static readonly (IPNetwork Network, string Kind)[] V6Special =
    [
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fc00::/7"), "a private address (unique local)"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");
    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why <paramref name="address"/> must not be called (<c>"a loopback address"</c>…), or null for a public address.</summary>
    public static string? WhyForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Embedded(address) is { } v4)
            return WhyForbidden(v4);
        if (Metadata.Any(m => m.Equals(WithoutScope(address))))
            return "a cloud metadata address";
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return Find(V4, address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return "not an IP address";
        if (!GlobalUnicast.Contains(address))
            return Find(V6Special, address) ?? "a reserved address (not global unicast)";
        return Find(V6, address);
    }

    /// <summary>127.0.0.0/8 and ::1, in any IPv6 form: what <see cref="OutboundOptions.AllowLoopback"/> lets through.</summary>
    public static bool IsLoopback(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IPAddress.IsLoopback(Embedded(address) ?? address);
    }

    /// <summary>The IPv4 address an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::) address stands for.</summary>
    static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
            return new IPAddress(bytes.AsSpan(12, 4));
        if (SixToFour.Contains(address))
            return new IPAddress(bytes.AsSpan(2, 4));
        return null;
    }

    static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    static string? Find((IPNetwork Network, string Kind)[] ranges, IPAddress address) =>
        ranges.FirstOrDefault(r => r.Network.Contains(address)).Kind;
}

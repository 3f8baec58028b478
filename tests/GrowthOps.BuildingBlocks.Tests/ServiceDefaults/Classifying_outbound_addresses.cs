using System.Net;
using GrowthOps.ServiceDefaults.Outbound;
using Microsoft.Extensions.Options;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

public sealed class Classifying_outbound_addresses
{
    static OutboundPolicy Policy(bool allowHttp = true, bool allowLoopback = false) =>
        new(Options.Create(new OutboundOptions { AllowHttp = allowHttp, AllowLoopback = allowLoopback }));

    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("169.254.170.2", "metadata")]
    [InlineData("100.100.100.200", "metadata")]
    [InlineData("168.63.129.16", "metadata")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.0.0.8", "reserved")]
    [InlineData("192.0.2.10", "documentation")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("fec0::1", "reserved")]
    [InlineData("100::1", "reserved")]
    [InlineData("::7f00:1", "reserved")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("3fff::1", "documentation")]
    [InlineData("2001:2::1", "reserved")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:7f00:1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "metadata")]
    [InlineData("64:ff9b::a9fe:a9fe", "metadata")]
    [InlineData("64:ff9b::c0a8:101", "private")]
    [InlineData("2002:7f00:1::1", "loopback")]
    [InlineData("2002:a9fe:a9fe::", "metadata")]
    public void Forbidden_addresses_are_named_by_their_kind(string address, string kind)
    {
        var why = OutboundAddresses.WhyForbidden(IPAddress.Parse(address));
        Assert.NotNull(why);
        Assert.Contains(kind, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.215.14")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001::200e")]
    [InlineData("::ffff:1.1.1.1")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_allowed(string address) => Assert.Null(OutboundAddresses.WhyForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.9.9.9")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void The_loopback_switch_lets_loopback_through_and_nothing_else(string address)
    {
        Assert.NotNull(Policy().WhyRefused(IPAddress.Parse(address)));
        Assert.Null(Policy(allowLoopback: true).WhyRefused(IPAddress.Parse(address)));
        foreach (var other in new[] { "169.254.169.254", "10.0.0.1", "0.0.0.0", "fe80::1", "::ffff:192.168.0.1" })
            Assert.NotNull(Policy(allowLoopback: true).WhyRefused(IPAddress.Parse(other)));
    }

    [Theory]
    [InlineData("http://127.0.0.1/", "127.0.0.1: a loopback")]
    [InlineData("http://2130706433/", "127.0.0.1: a loopback")]
    [InlineData("http://0x7f.1/", "127.0.0.1: a loopback")]
    [InlineData("http://0x7f000001/", "127.0.0.1: a loopback")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1: a loopback")]
    [InlineData("http://017700000001/", "127.0.0.1: a loopback")]
    [InlineData("http://127.1/", "127.0.0.1: a loopback")]
    [InlineData("http://127.0.0.1:15672/api/vhosts", "127.0.0.1: a loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("http://2852039166/", "169.254.169.254: a cloud metadata")]
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254: a cloud metadata")]
    [InlineData("http://10.0.0.5:8080/", "private")]
    [InlineData("http://0/", "0.0.0.0: an unspecified")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("http://[::ffff:7f00:1]/", "loopback")]
    [InlineData("http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "metadata")]
    [InlineData("http://[fe80::1%25eth0]/", "link-local")]
    [InlineData("http://[fd00:ec2::254]/", "metadata")]
    [InlineData("http://localhost:5101/", "localhost: a loopback")]
    [InlineData("http://LOCALHOST./", "localhost: a loopback")]
    [InlineData("http://api.localhost/", "api.localhost: a loopback")]
    [InlineData("http://user:secret@example.com/", "user name or password")]
    [InlineData("http://user@example.com/", "user name or password")]
    [InlineData("ftp://example.com/", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    public void Urls_to_forbidden_addresses_in_any_spelling_are_refused(string url, string reason)
    {
        var why = Policy().WhyRefused(new Uri(url));
        Assert.NotNull(why);
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/leads")]
    [InlineData("https://hooks.example.com:8443/leads")]
    [InlineData("https://1.1.1.1/")]
    [InlineData("https://[2606:4700:4700::1111]:444/")]
    [InlineData("http://hooks.example.com/leads")]
    [InlineData("https://localhost.example.com/")]
    public void Urls_to_public_hosts_are_allowed_on_any_port(string url) => Assert.Null(Policy().WhyRefused(new Uri(url)));

    [Fact]
    public void Http_is_refused_unless_allowed()
    {
        Assert.Equal("must be an https URL", Policy(allowHttp: false).WhyRefused(new Uri("http://hooks.example.com/")));
        Assert.Null(Policy(allowHttp: false).WhyRefused(new Uri("https://hooks.example.com/")));
    }

    [Fact]
    public void The_loopback_switch_allows_loopback_urls()
    {
        foreach (var url in new[] { "http://127.0.0.1:9000/", "http://2130706433/", "http://localhost:9000/", "http://[::1]/" })
            Assert.Null(Policy(allowLoopback: true).WhyRefused(new Uri(url)));
        Assert.NotNull(Policy(allowLoopback: true).WhyRefused(new Uri("http://169.254.169.254/")));
    }
}

using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

public sealed class Parsing_email_addresses
{
    [Theory]
    [InlineData("ada@example.com", "ada", "example.com")]
    [InlineData("  Ada.Lovelace+leads@Example.COM ", "Ada.Lovelace+leads", "example.com")]
    [InlineData("o'brien!#$%&*/=?^_`{|}~-@example.ie", "o'brien!#$%&*/=?^_`{|}~-", "example.ie")]
    [InlineData("a@b-c.d-e.io", "a", "b-c.d-e.io")]
    [InlineData("ada@bücher.de", "ada", "xn--bcher-kva.de")]
    [InlineData("ada@XN--BCHER-KVA.de", "ada", "xn--bcher-kva.de")]
    public void Reads_an_address_mail_systems_deliver_to(string text, string local, string asciiDomain)
    {
        Assert.True(EmailAddress.TryParse(text, out var address, out var problem), problem);

        Assert.Equal(text.Trim(), address.Value);
        Assert.Equal(local, address.LocalPart);
        Assert.Equal(asciiDomain, address.AsciiDomain);
        Assert.Equal($"{local}@{asciiDomain}", address.Ascii);
    }

    [Fact]
    public void Accepts_each_part_at_its_length_limit()
    {
        var label = new string('d', 63);
        var local = new string('l', 64);
        var domain = $"{label}.{label}.{new string('e', 57)}.com";

        Assert.True(EmailAddress.TryParse($"{local}@{domain}", out var address, out var problem), problem);
        Assert.Equal(254, address.Value.Length);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("ada", "local-part@domain")]
    [InlineData("ada@@example.com", "local-part@domain")]
    [InlineData("a@b@example.com", "local-part@domain")]
    [InlineData("@example.com", "local part")]
    [InlineData("a..b@example.com", "local part")]
    [InlineData(".ada@example.com", "local part")]
    [InlineData("ada.@example.com", "local part")]
    [InlineData("<script>alert(1)</script>@x.yz", "local part")]
    [InlineData("\"ada\"@example.com", "local part")]
    [InlineData("Ada <ada@example.com>", "U+0020")]
    [InlineData("ada@example.com (Ada)", "U+0020")]
    [InlineData("üser@example.com", "local part")]
    [InlineData("ada@", "domain")]
    [InlineData("a@b..c", "domain")]
    [InlineData("a@b", "domain")]
    [InlineData("a@example.com.", "domain")]
    [InlineData("a@-example.com", "domain")]
    [InlineData("a@example-.com", "domain")]
    [InlineData("a@exa_mple.com", "domain")]
    [InlineData("a@1.2.3.4", "domain")]
    [InlineData("a@[10.0.0.1]", "domain")]
    [InlineData("a@exam★ple.com", "domain")]
    [InlineData("ad\u202Ea@example.com", "U+202E")]
    [InlineData("ada@exam\u202Eple.com", "U+202E")]
    [InlineData("ad\u200Ba@example.com", "U+200B")]
    [InlineData("ad\uFEFFa@example.com", "U+FEFF")]
    [InlineData("ad\u0000a@example.com", "U+0000")]
    public void Refuses_what_a_mail_system_would_and_says_why(string text, string reason)
    {
        Assert.False(EmailAddress.TryParse(text, out var address, out var problem));

        Assert.Null(address);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_lone_surrogate()
    {
        // Built at run time: an attribute argument cannot hold one (metadata stores strings as UTF-8).
        var text = "ad" + (char)0xD800 + "a@example.com";

        Assert.False(EmailAddress.TryParse(text, out _, out var problem));
        Assert.Contains("U+D800", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_parts_over_their_length_limits()
    {
        Assert.False(EmailAddress.TryParse(new string('a', 300) + "@example.com", out _, out var tooLong));
        Assert.False(EmailAddress.TryParse(new string('a', 65) + "@example.com", out _, out var localTooLong));
        Assert.False(EmailAddress.TryParse($"a@{new string('d', 64)}.com", out _, out var labelTooLong));
        // Short in Unicode, over 254 once the domain is punycode.
        Assert.False(EmailAddress.TryParse($"{new string('a', 64)}@{string.Join('.', Enumerable.Repeat(new string('ü', 40), 4))}.de", out _, out var asciiTooLong));

        Assert.Contains("254", tooLong, StringComparison.Ordinal);
        Assert.Contains("64", localTooLong, StringComparison.Ordinal);
        Assert.Contains("domain", labelTooLong, StringComparison.Ordinal);
        Assert.NotNull(asciiTooLong);
    }

    [Theory]
    [InlineData("Ada.Lovelace@Example.com", "ada.lovelace@example.com")]
    [InlineData(" GRACE@example.com ", "grace@example.com")]
    [InlineData("Ada@Bücher.de", "ada@bücher.de")]
    [InlineData("ada@xn--bcher-kva.de", "ada@bücher.de")]
    public void Normalises_every_spelling_of_a_mailbox_to_one_key(string text, string key)
    {
        Assert.True(EmailAddress.TryParse(text, out var address));

        Assert.Equal(key, address.Normalized);
    }
}

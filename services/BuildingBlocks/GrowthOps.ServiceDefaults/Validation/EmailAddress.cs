using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GrowthOps.ServiceDefaults.Validation;

/// <summary>
/// An email address as a mail system takes it for delivery (RFC 5321): <c>local-part@domain</c>, at most 254 characters, a
/// local part of at most 64 that is a dot-atom of RFC 5322 atext, and a domain that is a host name (labels of 1–63 letters,
/// digits and inner hyphens, at least two; internationalised names allowed and checked in their punycode form).
/// <para>
/// Refused although RFC 5322 allows them: quoted local parts (<c>"john doe"@x.com</c>) and address literals
/// (<c>a@[10.0.0.1]</c>), which mailbox providers and sending services refuse and which bring spaces, quotes and angle
/// brackets into a value that is shown in pages and written into headers; and non-ASCII local parts, which need SMTPUTF8 at
/// every hop (many relays lack it). MimeKit's parser was not used: even in strict mode it takes all of these, a display
/// name, a dotless domain, bidi controls and a 300-character local part.
/// </para>
/// </summary>
public sealed record EmailAddress
{
    /// <summary>RFC 5321 4.5.3.1.3: a path is at most 256 octets, two of them the angle brackets.</summary>
    public const int MaxLength = 254;

    /// <summary>RFC 5321 4.5.3.1.1.</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>RFC 5321 4.5.3.1.2 (with <see cref="MaxLength"/> a domain can reach 252 at most).</summary>
    public const int MaxDomainLength = 255;

    const int MaxLabelLength = 63;
    const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    EmailAddress(string value, string localPart, string domain, string asciiDomain)
    {
        Value = value;
        LocalPart = localPart;
        Domain = domain;
        AsciiDomain = asciiDomain;
        UnicodeDomain = new IdnMapping().GetUnicode(asciiDomain);
    }

    /// <summary>The address as given (trimmed): what is stored and shown.</summary>
    public string Value { get; }

    public string LocalPart { get; }

    /// <summary>The domain as given, possibly internationalised.</summary>
    public string Domain { get; }

    /// <summary>The domain in lower-case ASCII (punycode for an internationalised one), as DNS and SMTP use it.</summary>
    public string AsciiDomain { get; }

    /// <summary>The domain in its canonical Unicode form, lower-case (the same as <see cref="AsciiDomain"/> for an ASCII one).</summary>
    public string UnicodeDomain { get; }

    /// <summary>The address to send to: the local part as given at the ASCII domain.</summary>
    public string Ascii => $"{LocalPart}@{AsciiDomain}";

    /// <summary>
    /// One key for every spelling of a mailbox: the lower-cased local part at the canonical Unicode domain. RFC 5321 lets a
    /// server treat local parts as case-sensitive, but mailbox providers do not, and contacts for <c>Ada@x.com</c> and
    /// <c>ada@x.com</c> would be one person twice. For an ASCII address this is the address trimmed and lower-cased; an
    /// internationalised domain keys as its lower-case Unicode spelling would, and its punycode spelling keys the same.
    /// </summary>
    public string Normalized => $"{LocalPart.ToLowerInvariant()}@{UnicodeDomain}";

    public override string ToString() => Value;

    public static bool TryParse(string? text, [NotNullWhen(true)] out EmailAddress? address) => TryParse(text, out address, out _);

    /// <summary>The address, or false with <paramref name="problem"/> saying what is wrong (a phrase after the field name).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EmailAddress? address, [NotNullWhen(false)] out string? problem)
    {
        address = null;
        problem = Check(text?.Trim(), out var value, out var at, out var asciiDomain);
        if (problem is not null)
            return false;
        address = new EmailAddress(value!, value![..at], value[(at + 1)..], asciiDomain!);
        return true;
    }

    static string? Check(string? value, out string? checkedValue, out int at, out string? asciiDomain)
    {
        checkedValue = value;
        at = -1;
        asciiDomain = null;
        if (string.IsNullOrEmpty(value))
            return "is empty";
        if (value.Length > MaxLength)
            return $"is longer than {MaxLength} characters";
        if (FirstInvisible(value) is { } invisible)
            return $"contains U+{invisible:X4}: control, format, space and unassigned characters cannot be part of an address";

        at = value.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || at != value.LastIndexOf('@'))
            return "must be one address: local-part@domain";
        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length is 0 or > MaxLocalPartLength)
            return $"must have a local part (before the @) of 1 to {MaxLocalPartLength} characters";
        if (!IsDotAtom(local))
            return "has a local part that is not letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ with single dots between them";

        asciiDomain = AsciiHostName(domain);
        if (asciiDomain is null)
            return "has a domain that is not a host name: labels of 1 to 63 letters, digits or inner hyphens, separated by dots, at least two";
        if (asciiDomain.Length > MaxDomainLength || local.Length + 1 + asciiDomain.Length > MaxLength)
            return $"is longer than {MaxLength} characters with its domain in ASCII";
        return null;
    }

    /// <summary>The first character no address may hold (U+202E and other bidi controls, zero-width spaces, NUL…), as a code point.</summary>
    static int? FirstInvisible(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogate(value, i) && !char.IsSurrogatePair(value, i))
                return value[i];
            var category = CharUnicodeInfo.GetUnicodeCategory(value, i);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                return char.ConvertToUtf32(value, i);
            if (char.IsSurrogatePair(value, i))
                i++;
        }

        return null;
    }

    static bool IsDotAtom(string local)
    {
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
            return false;
        foreach (var c in local)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || AtextSymbols.Contains(c, StringComparison.Ordinal)))
                return false;
        return true;
    }

    /// <summary>The domain as a lower-case ASCII host name (IDNA, STD3 rules), or null when it is not one.</summary>
    static string? AsciiHostName(string domain)
    {
        // IdnMapping maps what it is given: it would turn a bidi control or a symbol into punycode, so only letters, marks and
        // digits may be non-ASCII.
        foreach (var c in domain)
            if (c > 0x7F
                    ? CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                        or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                        or UnicodeCategory.DecimalDigitNumber)
                    : !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
                return null;

        string ascii;
        try
        {
            ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2 || labels[^1].All(char.IsAsciiDigit))
            return null;
        foreach (var label in labels)
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                return null;
        return ascii;
    }
}

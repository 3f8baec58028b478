using System.Globalization;

namespace GrowthOps.Conditions;

/// <summary>
/// A decimal number compared exactly, as PostgreSQL's <c>numeric</c> compares it: JSON attribute values (which jsonb keeps
/// as <c>numeric</c>, with any number of digits) against criteria values, without the rounding of double or the 28-digit
/// limit of decimal. The value is <c>Digits × 10^Exponent</c>, <c>Digits</c> without leading or trailing zeros.
/// </summary>
public readonly struct ExactNumber : IComparable<ExactNumber>, IEquatable<ExactNumber>
{
    readonly string? _digits;

    ExactNumber(bool negative, string digits, long exponent)
    {
        Negative = negative && digits.Length > 0;
        _digits = digits;
        Exponent = digits.Length > 0 ? exponent : 0;
    }

    bool Negative { get; }
    string Digits => _digits ?? "";
    long Exponent { get; }
    bool IsZero => Digits.Length == 0;

    public static ExactNumber From(decimal value) => TryParse(value.ToString(CultureInfo.InvariantCulture))!.Value;

    public static ExactNumber From(long value) => TryParse(value.ToString(CultureInfo.InvariantCulture))!.Value;

    /// <summary>Reads a JSON number's text (<c>-12.5e3</c>); null when it is not one.</summary>
    public static ExactNumber? TryParse(string text)
    {
        var s = text.AsSpan();
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            negative = s[i++] == '-';
        var mantissa = new System.Text.StringBuilder();
        long fractionDigits = 0;
        var sawDigit = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++, sawDigit = true)
            mantissa.Append(s[i]);
        if (i < s.Length && s[i] == '.')
            for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++, sawDigit = true, fractionDigits++)
                mantissa.Append(s[i]);
        if (!sawDigit)
            return null;
        long exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+'))
                expNegative = s[i++] == '-';
            var start = i;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
                exponent = Math.Min(exponent * 10 + (s[i] - '0'), 1_000_000_000_000L);
            if (i == start)
                return null;
            if (expNegative)
                exponent = -exponent;
        }

        if (i != s.Length)
            return null;
        var digits = mantissa.ToString().TrimStart('0');
        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length - fractionDigits;
        return new ExactNumber(negative, trimmed, exponent);
    }

    public int CompareTo(ExactNumber other)
    {
        if (IsZero || other.IsZero)
            return IsZero && other.IsZero ? 0 : IsZero ? (other.Negative ? 1 : -1) : (Negative ? -1 : 1);
        if (Negative != other.Negative)
            return Negative ? -1 : 1;
        var magnitude = CompareMagnitude(this, other);
        return Negative ? -magnitude : magnitude;
    }

    static int CompareMagnitude(ExactNumber a, ExactNumber b)
    {
        // The position of the leading digit decides first; then the digits, as if padded with zeros to the same length.
        var lead = (a.Digits.Length + a.Exponent).CompareTo(b.Digits.Length + b.Exponent);
        if (lead != 0)
            return lead;
        var n = Math.Max(a.Digits.Length, b.Digits.Length);
        for (var i = 0; i < n; i++)
        {
            var x = i < a.Digits.Length ? a.Digits[i] : '0';
            var y = i < b.Digits.Length ? b.Digits[i] : '0';
            if (x != y)
                return x.CompareTo(y);
        }

        return 0;
    }

    public bool Equals(ExactNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is ExactNumber other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Negative, Digits, Exponent);

    public override string ToString()
    {
        if (IsZero)
            return "0";
        var sign = Negative ? "-" : "";
        if (Exponent is >= 0 and <= 30)
            return sign + Digits + new string('0', (int)Exponent);
        if (Exponent is < 0 and >= -30)
        {
            var point = Digits.Length + (int)Exponent;
            return point > 0
                ? $"{sign}{Digits[..point]}.{Digits[point..]}"
                : $"{sign}0.{new string('0', -point)}{Digits}";
        }

        return $"{sign}{Digits}e{Exponent}";
    }

    public static bool operator ==(ExactNumber left, ExactNumber right) => left.Equals(right);
    public static bool operator !=(ExactNumber left, ExactNumber right) => !left.Equals(right);
    public static bool operator <(ExactNumber left, ExactNumber right) => left.CompareTo(right) < 0;
    public static bool operator >(ExactNumber left, ExactNumber right) => left.CompareTo(right) > 0;
    public static bool operator <=(ExactNumber left, ExactNumber right) => left.CompareTo(right) <= 0;
    public static bool operator >=(ExactNumber left, ExactNumber right) => left.CompareTo(right) >= 0;
}

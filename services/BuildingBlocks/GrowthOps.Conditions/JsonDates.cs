using System.Globalization;
using System.Text.RegularExpressions;

namespace GrowthOps.Conditions;

/// <summary>
/// A date held in a JSON string of an attribute or of activity metadata, read exactly as the SQL function
/// <c>segments.json_timestamp</c> reads it (Data/Migrations/0001_read_model.sql): <c>yyyy-MM-dd</c> (midnight UTC) or
/// <c>yyyy-MM-ddTHH:mm:ss[.ffffff]</c> with <c>Z</c> or an offset up to ±14:00, years 1000–8999; anything else (no offset,
/// an impossible date, seven decimals) is not a date. Strict on purpose: PostgreSQL would read an offset-less time in the
/// session's time zone and round a seventh decimal, .NET would not.
/// </summary>
public static partial class JsonDates
{
    [GeneratedRegex(@"^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateOnly();

    [GeneratedRegex(@"^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex DateTime();

    public static DateTimeOffset? TryRead(string? value)
    {
        if (value is null)
            return null;
        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateOnly().IsMatch(value))
            return System.DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, utc, out var day)
                ? new DateTimeOffset(day, TimeSpan.Zero)
                : null;
        if (DateTime().IsMatch(value))
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, utc, out var instant) ? instant.ToUniversalTime() : null;
        return null;
    }
}

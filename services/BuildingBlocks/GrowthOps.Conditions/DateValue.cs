using System.Globalization;
using System.Text.RegularExpressions;

namespace GrowthOps.Conditions;

/// <summary>
/// A date in criteria: absolute (<c>2025-01-31</c> is midnight UTC; <c>2025-01-31T09:30:00+10:00</c>; a time without an
/// offset is UTC) or relative to the moment of evaluation (<c>now</c>, <c>today</c>, <c>yesterday</c>, <c>tomorrow</c> —
/// midnight UTC — and <c>7 days ago</c>, <c>30 days from now</c> with minutes, hours, days, weeks, months or years).
/// Relative dates are resolved against the clock of each evaluation, never stored resolved.
/// </summary>
public sealed partial class DateValue
{
    readonly Func<DateTimeOffset, DateTimeOffset> _resolve;

    DateValue(string text, bool relative, Func<DateTimeOffset, DateTimeOffset> resolve)
    {
        Text = text;
        IsRelative = relative;
        _resolve = resolve;
    }

    public string Text { get; }

    /// <summary>Whether it moves with the clock (and membership can change with no event).</summary>
    public bool IsRelative { get; }

    /// <summary>The instant at <paramref name="now"/>, at PostgreSQL's precision.</summary>
    public DateTimeOffset Resolve(DateTimeOffset now) => PgTime.Truncate(_resolve(PgTime.Truncate(now)));

    public const string Expected = "expected a date ('7 days ago', '30 days from now', 'today', 'now', or an ISO 8601 date or date-time)";

    [GeneratedRegex(@"^([0-9]+)\s+(minute|hour|day|week|month|year)s?\s+(ago|from\s+now)$", RegexOptions.CultureInvariant)]
    private static partial Regex Relative();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDateTime();

    public static DateValue? TryParse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        switch (s)
        {
            case "now": return new DateValue(text, true, now => now);
            case "today": return new DateValue(text, true, Midnight);
            case "yesterday": return new DateValue(text, true, now => Midnight(now).AddDays(-1));
            case "tomorrow": return new DateValue(text, true, now => Midnight(now).AddDays(1));
        }

        if (Relative().Match(s) is { Success: true } m)
        {
            if (!int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return null;
            var sign = m.Groups[3].Value == "ago" ? -1 : 1;
            var unit = m.Groups[2].Value;
            var maxInUnit = unit switch
            {
                "minute" => CriteriaLimits.MaxDays * 1440L,
                "hour" => CriteriaLimits.MaxDays * 24L,
                "day" => CriteriaLimits.MaxDays,
                "week" => CriteriaLimits.MaxDays / 7,
                "month" => CriteriaLimits.MaxDays / 31,
                _ => CriteriaLimits.MaxDays / 366,
            };
            if (n > maxInUnit)
                return null;
            var k = sign * n;
            return new DateValue(text, true, unit switch
            {
                "minute" => now => now.AddMinutes(k),
                "hour" => now => now.AddHours(k),
                "day" => now => now.AddDays(k),
                "week" => now => now.AddDays(7 * k),
                "month" => now => now.AddMonths(k),
                _ => now => now.AddYears(k),
            });
        }

        // ISO forms in upper case (T, Z), as .NET parses them; keywords and units above in lower case.
        s = s.ToUpperInvariant();
        if (IsoDate().IsMatch(s) &&
            DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
        {
            var at = new DateTimeOffset(day, TimeSpan.Zero);
            return new DateValue(text, false, _ => at);
        }

        if (IsoDateTime().IsMatch(s) &&
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            return new DateValue(text, false, _ => instant);

        return null;
    }

    /// <summary>Midnight UTC of the day of <paramref name="instant"/>.</summary>
    public static DateTimeOffset Midnight(DateTimeOffset instant) => new(instant.UtcDateTime.Date, TimeSpan.Zero);
}

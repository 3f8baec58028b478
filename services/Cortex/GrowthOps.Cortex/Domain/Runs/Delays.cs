using System.Globalization;
using System.Text.Json;
using GrowthOps.Cortex.Domain.Graph;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// When a delay node is due: <c>until</c> (an ISO 8601 instant), or now plus <c>duration</c>; then, with <c>at</c>
/// (<c>"09:00"</c>), the first such local time from there, and with <c>business_hours</c>
/// (<c>{"days": ["monday", …], "start": "09:00", "end": "17:00"}</c>) the next opening — both in <c>timezone</c> (an IANA id)
/// or the contact's zone, DST-correct.
/// </summary>
public static class Delays
{
    public static DateTimeOffset Due(JsonElement data, DateTimeOffset now, TimeZoneInfo contactZone)
    {
        DateTimeOffset due;
        if (data.TryGetProperty("until", out var u) && u.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(u.GetString(),
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
            due = until;
        else
            due = now.AddSeconds(WorkflowGraph.DurationSeconds(data, "duration") ?? 0);

        var zone = data.TryGetProperty("timezone", out var tz) && tz.ValueKind == JsonValueKind.String ? RunModel.Zone(tz.GetString()) : contactZone;
        if (data.TryGetProperty("at", out var at) && at.ValueKind == JsonValueKind.String && TimeOnly.TryParse(at.GetString(), CultureInfo.InvariantCulture,
                out var time))
            due = NextLocal(due, time, zone);
        if (data.TryGetProperty("business_hours", out var bh) && bh.ValueKind == JsonValueKind.Object)
            due = IntoWindow(due, bh, zone);
        return due;
    }

    /// <summary>The first instant at or after <paramref name="from"/> whose local time in <paramref name="zone"/> is <paramref name="time"/>.</summary>
    public static DateTimeOffset NextLocal(DateTimeOffset from, TimeOnly time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(from, zone);
        for (var day = 0; day < 3; day++)
        {
            var candidate = Instant(DateOnly.FromDateTime(local.DateTime).AddDays(day).ToDateTime(time), zone);
            if (candidate >= from)
                return candidate;
        }

        return from;
    }

    static DateTimeOffset IntoWindow(DateTimeOffset from, JsonElement window, TimeZoneInfo zone)
    {
        var days = window.TryGetProperty("days", out var d) && d.ValueKind == JsonValueKind.Array
            ? d.EnumerateArray().Select(x => Enum.TryParse<DayOfWeek>(x.GetString(), true, out var day) ? day : (DayOfWeek?)null).OfType<DayOfWeek>().ToHashSet()
            : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
        var start = window.TryGetProperty("start", out var s) && TimeOnly.TryParse(s.GetString(), CultureInfo.InvariantCulture, out var st) ? st : new TimeOnly(9, 0);
        var end = window.TryGetProperty("end", out var e) && TimeOnly.TryParse(e.GetString(), CultureInfo.InvariantCulture, out var en) ? en : new TimeOnly(17, 0);
        return IntoWindow(from, days, start, end, zone);
    }

    /// <summary>
    /// <paramref name="from"/> when it falls inside the window (<paramref name="start"/> to <paramref name="end"/>, local, on
    /// <paramref name="days"/>), else the window's next opening.
    /// </summary>
    public static DateTimeOffset IntoWindow(DateTimeOffset from, IReadOnlySet<DayOfWeek> days, TimeOnly start, TimeOnly end, TimeZoneInfo zone)
    {
        if (days.Count == 0 || end <= start)
            return from;
        var local = TimeZoneInfo.ConvertTime(from, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        for (var i = 0; i < 8; i++, date = date.AddDays(1))
        {
            if (!days.Contains(date.DayOfWeek))
                continue;
            var open = Instant(date.ToDateTime(start), zone);
            var close = Instant(date.ToDateTime(end), zone);
            if (from < open)
                return open;
            if (from < close)
                return from;
        }

        return from;
    }

    /// <summary>A local wall-clock time as an instant; a time skipped by a DST change moves forward by the gap.</summary>
    public static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(30);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

using System.Text.Json;
using Cronos;
using GrowthOps.Cortex.Domain.Graph;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// A <c>schedule.cron</c> or <c>schedule.interval</c> trigger's timing, read from the trigger node's data:
/// <c>{cron: "0 9 * * 1-5", timezone: "Europe/London"}</c> (five fields, or six with seconds; DST-correct in the zone) or
/// <c>{interval: {amount: 6, unit: "hours"}}</c> (or <c>interval_seconds</c>), optionally <c>segment_id</c>: a run per member
/// of that segment at each occurrence, otherwise one run without a contact.
/// </summary>
public sealed record ScheduleSpec(string Kind, string? Cron, string Timezone, double? IntervalSeconds, Guid? SegmentId)
{
    public const string CronTrigger = "schedule.cron";
    public const string IntervalTrigger = "schedule.interval";

    public static bool IsSchedule(string? triggerType) => triggerType is CronTrigger or IntervalTrigger;

    /// <summary>The spec of a trigger node, or null with its problems added under <paramref name="at"/>.</summary>
    public static ScheduleSpec? Read(string triggerType, JsonElement data, string at, Action<string, string> add)
    {
        var timezone = Text(data, "timezone") ?? "UTC";
        if (!TryZone(timezone, out _))
            add($"{at}.data.timezone", $"'{timezone}' is no IANA time zone");
        Guid? segment = null;
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("segment_id", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind == JsonValueKind.String && Guid.TryParse(s.GetString(), out var id))
                segment = id;
            else
                add($"{at}.data.segment_id", "a segment's id (a UUID)");
        }

        if (triggerType == CronTrigger)
        {
            var cron = Text(data, "cron") ?? Text(data, "expression");
            if (cron is null)
            {
                add($"{at}.data.cron", "is required: a cron expression such as \"0 9 * * 1-5\"");
                return null;
            }

            if (Parse(cron) is null)
            {
                add($"{at}.data.cron", $"'{cron}' is no cron expression (five fields, or six with seconds)");
                return null;
            }

            return new ScheduleSpec("cron", cron, timezone, null, segment);
        }

        var seconds = WorkflowGraph.DurationSeconds(data, "interval");
        if (seconds is not (>= 1 and <= 366 * 86400))
        {
            add($"{at}.data.interval", "is required: 1 second to a year (seconds, or {amount, unit})");
            return null;
        }

        return new ScheduleSpec("interval", null, timezone, seconds, segment);
    }

    /// <summary>The first occurrence after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        if (Kind == "interval")
            return after.AddSeconds(IntervalSeconds!.Value);
        TryZone(Timezone, out var zone);
        return Parse(Cron!)!.GetNextOccurrence(after, zone) ?? DateTimeOffset.MaxValue;
    }

    static CronExpression? Parse(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException)
        {
            return null;
        }
    }

    static bool TryZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id.Length is 0 or > 64)
            return false;
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }

    static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

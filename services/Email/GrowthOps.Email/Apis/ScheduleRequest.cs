using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email.Apis;

/// <summary>
/// When to send: <c>send_at</c> (an instant), or <c>local_time</c> (HH:mm) on <c>date</c> (yyyy-MM-dd) in each recipient's time
/// zone, <c>fallback_timezone</c> (IANA) for recipients without a known one.
/// </summary>
public sealed record ScheduleRequest(
    [property: Description("An instant with its offset (ISO 8601).")] DateTimeOffset? SendAt = null,
    [property: Description("HH:mm, in each recipient's zone.")][property: MaxLength(5)] string? LocalTime = null,
    [property: Description("yyyy-MM-dd, with local_time.")][property: MaxLength(10)] string? Date = null,
    [property: Description("IANA zone for recipients without a known one, with local_time.")][property: MaxLength(64)] string? FallbackTimezone = null);

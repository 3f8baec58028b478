using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Cortex.Domain.Sequences;

/// <summary>A sequence as stored (cortex.sequences).</summary>
public sealed record Sequence(Guid Id, string Name, string? Description, string Status, JsonElement Settings, int StepsCount, string? CreatedBy,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public SequenceSettings ParsedSettings => SequenceSettings.Read(Settings);
}

/// <summary>A step as stored (cortex.sequence_steps): its type-specific fields in <see cref="Config"/>.</summary>
public sealed record SequenceStep(Guid Id, Guid SequenceId, int StepOrder, string StepType, string? Name, JsonElement Config, DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public StepFields Fields => Config.Deserialize<StepFields>(SequenceJson.Options) ?? new StepFields();
}

public static class SequenceJson
{
    /// <summary>snake_case, as the API and the stored config name the fields.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };
}

/// <summary>A window of local time on some weekdays (<c>{"start": "09:00", "end": "17:00", "days": ["monday", …]}</c>).</summary>
public sealed record TimeWindow(
    [property: MaxLength(5), RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$"), Description("HH:mm, local.")] string? Start = null,
    [property: MaxLength(5), RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$"), Description("HH:mm, local (exclusive).")] string? End = null,
    [property: Description("Weekdays (monday … sunday); Monday to Friday when absent.")] IReadOnlyList<string>? Days = null)
{
    public TimeOnly StartTime => TimeOnly.TryParse(Start, CultureInfo.InvariantCulture, out var t) ? t : new TimeOnly(9, 0);
    public TimeOnly EndTime => TimeOnly.TryParse(End, CultureInfo.InvariantCulture, out var t) ? t : new TimeOnly(17, 0);

    public IReadOnlySet<DayOfWeek> Weekdays => Days is { Count: > 0 }
        ? Days.Select(d => Enum.TryParse<DayOfWeek>(d, true, out var day) ? day : (DayOfWeek?)null).OfType<DayOfWeek>().ToHashSet()
        : new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };

    public void Check(string prefix, Dictionary<string, string[]> errors)
    {
        if (Start is not null && !TimeOnly.TryParseExact(Start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors[$"{prefix}.start"] = ["HH:mm"];
        if (End is not null && !TimeOnly.TryParseExact(End, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors[$"{prefix}.end"] = ["HH:mm"];
        if (EndTime <= StartTime)
            errors[$"{prefix}.end"] = ["must be after start"];
        if (Days is not null && Days.Any(d => !Enum.TryParse<DayOfWeek>(d, true, out _) || int.TryParse(d, out _)))
            errors[$"{prefix}.days"] = ["weekday names: monday … sunday"];
    }
}

/// <summary>What ends an enrolment by itself. Every rule is on unless set to false.</summary>
public sealed record StopRules(
    [property: Description("A reply stops the sequence (default true).")] bool? Reply = null,
    [property: Description("With a reply, the lead is marked qualified (default true).")] bool? MarkQualifiedOnReply = null,
    [property: Description("A hard bounce stops it (default true).")] bool? Bounce = null,
    [property: Description("An unsubscribe stops it (default true).")] bool? Unsubscribe = null,
    [property: Description("A meeting booked for the lead (activity meeting_booked) stops it (default true).")] bool? MeetingBooked = null,
    [property: Description("A deal created for the lead stops it (default true).")] bool? DealCreated = null);

/// <summary>A sequence's settings (all optional).</summary>
public sealed record SequenceSettings(
    [property: MaxLength(64), Description("IANA time zone of the sequence (UTC when absent).")] string? Timezone = null,
    [property: Description("Time zone mode: lead (the lead's zone when known, else the sequence's; the default) or sequence.")]
    [property: MaxLength(10), RegularExpression("^(lead|sequence)$")] string? TimezoneMode = null,
    [property: Description("Business hours: where delays marked business_hours_only (or every step, with business_hours_only here) may end.")]
    TimeWindow? BusinessHours = null,
    [property: Description("Every step's due time is moved into business hours.")] bool? BusinessHoursOnly = null,
    [property: Description("Emails go out only inside this local window.")] TimeWindow? SendWindow = null,
    [property: Range(1, 100_000), Description("Emails per sender per local day at most; the rest wait for the next day's window.")] int? DailyLimit = null,
    [property: Range(0, 86_400), Description("Seconds between two emails of one sender.")] double? StaggerSeconds = null,
    [property: MaxLength(320), Description("The sender (From) of the sequence's emails; also the daily limit's key.")] string? FromEmail = null,
    [property: MaxLength(320)] string? ReplyTo = null,
    StopRules? StopRules = null)
{
    public static SequenceSettings Read(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object ? json.Deserialize<SequenceSettings>(SequenceJson.Options) ?? new() : new();

    public void Check(Dictionary<string, string[]> errors)
    {
        if (Timezone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(Timezone, out _))
            errors["settings.timezone"] = ["an IANA time zone (Europe/Berlin, America/New_York…)"];
        if (TimezoneMode is not (null or "lead" or "sequence"))
            errors["settings.timezone_mode"] = ["lead or sequence"];
        BusinessHours?.Check("settings.business_hours", errors);
        SendWindow?.Check("settings.send_window", errors);
        if (DailyLimit is < 1)
            errors["settings.daily_limit"] = ["at least 1"];
        if (StaggerSeconds is < 0 or > 86_400)
            errors["settings.stagger_seconds"] = ["0 to 86400"];
        if (FromEmail is not null && !EmailAddress.TryParse(FromEmail, out _))
            errors["settings.from_email"] = ["an email address"];
        if (ReplyTo is not null && !EmailAddress.TryParse(ReplyTo, out _))
            errors["settings.reply_to"] = ["an email address"];
    }

    public TimeZoneInfo Zone => Timezone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(Timezone, out var z) ? z : TimeZoneInfo.Utc;

    /// <summary>The zone an enrolment's times are in: the lead's when the mode allows and the lead has a valid one.</summary>
    public TimeZoneInfo ZoneFor(string? leadTimezone) =>
        TimezoneMode != "sequence" && leadTimezone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(leadTimezone, out var lead) ? lead : Zone;

    public bool StopOnReply => StopRules?.Reply ?? true;
    public bool QualifyOnReply => StopRules?.MarkQualifiedOnReply ?? true;
    public bool StopOnBounce => StopRules?.Bounce ?? true;
    public bool StopOnUnsubscribe => StopRules?.Unsubscribe ?? true;
    public bool StopOnMeeting => StopRules?.MeetingBooked ?? true;
    public bool StopOnDeal => StopRules?.DealCreated ?? true;
    public string Sender => FromEmail?.ToLowerInvariant() ?? "default";
}

/// <summary>An A/B variant of an email step: its own subject and body, chosen with its weight.</summary>
public sealed record EmailVariant(
    [property: Required, MaxLength(40), RegularExpression("^[A-Za-z0-9_-]{1,40}$")] string Name,
    [property: MaxLength(998)] string? Subject = null,
    [property: MaxLength(200_000)] string? Body = null,
    [property: Range(0.0, 1_000_000.0)] double? Weight = null);

/// <summary>One branch of a condition step: when any of its conditions holds (OR), go to its target.</summary>
public sealed record ConditionBranch(
    [property: Description("Conditions, OR-ed: if_replied, if_not_replied, if_opened, if_not_opened, if_clicked, if_bounced, if_unsubscribed, always.")]
    IReadOnlyList<string>? Conditions = null,
    [property: Description("continue (the next step), stop, complete, or a step_order to go to.")] JsonElement? Goto = null,
    [property: MaxLength(100)] string? StopReason = null,
    [property: Description("With stop: mark the lead qualified.")] bool? MarkQualified = null);

/// <summary>
/// The fields of a step besides its order, type and name — each type reads its own: <c>email</c> (subject, body, variant,
/// variants, template_id), <c>delay</c> (delay_days, delay_hours, delay_minutes, send_time, business_hours_only),
/// <c>condition</c> (condition_type or conditions, then, else, branches, stop_reason), <c>action</c> (action_type, action_value).
/// Any step may wait before it runs (delay_days, delay_hours, delay_minutes: the seed's email "Delay: 0 days") and name the step
/// that follows it (next_step).
/// </summary>
public record StepFields
{
    [MaxLength(998), Description("email: the subject template ({{name}}, {{company}}, {{first_name}}…).")]
    public string? Subject { get; init; }

    [MaxLength(200_000), Description("email: the body template (HTML; plain text is wrapped).")]
    public string? Body { get; init; }

    [MaxLength(40), RegularExpression("^[A-Za-z0-9_-]{1,40}$"), Description("email: the name of this content as an A/B variant (A when absent; letters, digits, _ and -).")]
    public string? Variant { get; init; }

    [Range(0.0, 1_000_000.0), Description("email: the weight of this content against variants (1 when absent).")]
    public double? Weight { get; init; }

    [MaxLength(10), Description("email: other variants, each chosen with its weight; analytics say which is winning.")]
    public IReadOnlyList<EmailVariant>? Variants { get; init; }

    [Description("email: an Email template instead of subject and body.")]
    public Guid? TemplateId { get; init; }

    [Range(0.0, 3650.0), Description("Days to wait before the step runs (a delay step: how long it waits).")]
    public double? DelayDays { get; init; }

    [Range(0.0, 87_600.0)]
    public double? DelayHours { get; init; }

    [Range(0.0, 5_256_000.0)]
    public double? DelayMinutes { get; init; }

    [MaxLength(5), Description("delay: the local time (HH:mm, the lead's zone) the wait ends at, on or after the delay.")]
    public string? SendTime { get; init; }

    [Description("delay: the wait ends inside the sequence's business hours.")]
    public bool? BusinessHoursOnly { get; init; }

    [MaxLength(40), Description("condition: one condition (if_replied, if_not_replied, if_opened, if_not_opened, if_clicked, if_bounced, if_unsubscribed, always).")]
    public string? ConditionType { get; init; }

    [MaxLength(8), Description("condition: several, OR-ed (\"replied OR opened\").")]
    public IReadOnlyList<string>? Conditions { get; init; }

    [Description("condition: where to go when it holds: continue (default), stop, complete or a step_order.")]
    public JsonElement? Then { get; init; }

    [Description("condition: where to go when it does not: continue (default), stop, complete or a step_order.")]
    public JsonElement? Else { get; init; }

    [MaxLength(10), Description("condition: more branches, tried in order before then/else; the first that holds wins.")]
    public IReadOnlyList<ConditionBranch>? Branches { get; init; }

    [MaxLength(100), Description("condition: the stop reason when a branch stops the sequence.")]
    public string? StopReason { get; init; }

    [Description("condition: with stop, mark the lead qualified.")]
    public bool? MarkQualified { get; init; }

    [MaxLength(40), Description("action: update_status, mark_qualified, tag_lead, notify_user, assign_to_user or add_to_campaign.")]
    public string? ActionType { get; init; }

    [Description("action: its parameters — update_status {status}, tag_lead {tags, remove_tags}, notify_user {user_id, title, message}, assign_to_user {user_id | group}, add_to_campaign {campaign_id, remove_from_campaign_id}.")]
    [JsonLimits(MaxProperties = 20, MaxKeyLength = 100, MaxDepth = 4, MaxBytes = 16384)]
    public JsonElement? ActionValue { get; init; }

    [Description("The step after this one: a step_order, or complete (the next in order when absent).")]
    public JsonElement? NextStep { get; init; }

    /// <summary>The wait before the step, unscaled.</summary>
    public TimeSpan Delay => TimeSpan.FromDays(DelayDays ?? 0) + TimeSpan.FromHours(DelayHours ?? 0) + TimeSpan.FromMinutes(DelayMinutes ?? 0);

    /// <summary>This content and the variants, with their weights.</summary>
    public IReadOnlyList<EmailVariant> AllVariants =>
        [new EmailVariant(Variant ?? "A", Subject, Body, Weight ?? 1), .. Variants ?? []];
}

/// <summary>Where a condition (or a step's next_step) sends the enrolment.</summary>
public readonly record struct StepTarget(string Kind, int? Order)
{
    public const string Continue = "continue";
    public const string Stop = "stop";
    public const string Complete = "complete";
    public const string Goto = "goto";

    public static StepTarget? Read(JsonElement? e) => e switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => new StepTarget(Continue, null),
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var order) && order >= 1 => new StepTarget(Goto, order),
        { ValueKind: JsonValueKind.String } s => s.GetString() switch
        {
            "continue" or "next" => new StepTarget(Continue, null),
            "stop" => new StepTarget(Stop, null),
            "complete" or "end" => new StepTarget(Complete, null),
            { } text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var o) && o >= 1 => new StepTarget(Goto, o),
            _ => null,
        },
        _ => null,
    };
}

public static class SequenceCatalog
{
    public static readonly string[] Statuses = ["draft", "active", "paused", "archived"];
    public static readonly string[] StepTypes = ["email", "delay", "condition", "action"];

    public static readonly string[] Conditions =
        ["if_replied", "if_not_replied", "if_opened", "if_not_opened", "if_clicked", "if_bounced", "if_unsubscribed", "always"];

    public static readonly string[] Actions = ["update_status", "mark_qualified", "tag_lead", "notify_user", "assign_to_user", "add_to_campaign"];

    /// <summary>The step's fields checked for its type; errors by field name.</summary>
    public static void Check(string stepType, StepFields f, Func<string, IReadOnlyList<GrowthOps.Templates.TemplateError>> validateTemplate,
        Dictionary<string, string[]> errors)
    {
        if (f.SendTime is not null && !TimeOnly.TryParseExact(f.SendTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors["send_time"] = ["HH:mm"];
        if (f.NextStep is { } next && StepTarget.Read(next) is not { Kind: StepTarget.Goto or StepTarget.Complete or StepTarget.Continue })
            errors["next_step"] = ["a step_order or complete"];
        switch (stepType)
        {
            case "email" when f.Variants?.Any(v => v is null) == true:
                errors["variants"] = ["variants, not nulls"];
                break;
            case "email":
                if (f.TemplateId is null && (string.IsNullOrWhiteSpace(f.Subject) || string.IsNullOrWhiteSpace(f.Body)))
                    errors["subject"] = ["an email step needs subject and body (or template_id)"];
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (v, i) in f.AllVariants.Select((v, i) => (v, i)))
                {
                    var at = i == 0 ? "" : $"variants[{i - 1}].";
                    if (v.Name is null)
                        errors[$"{at}name"] = ["required"];
                    else if (!names.Add(v.Name))
                        errors[$"{at}name"] = [$"variant {v.Name} is named twice"];
                    if (i > 0 && f.TemplateId is null && (string.IsNullOrWhiteSpace(v.Subject) || string.IsNullOrWhiteSpace(v.Body)))
                        errors[$"{at}subject"] = ["a variant needs subject and body"];
                    foreach (var (field, text) in new[] { ("subject", v.Subject), ("body", v.Body) })
                        if (text is not null && validateTemplate(text) is { Count: > 0 } problems)
                            errors[$"{at}{field}"] = problems.Select(p => p.ToString()!).ToArray();
                }

                if (f.AllVariants.Sum(v => v.Weight ?? 1) <= 0)
                    errors["weight"] = ["the variants' weights add up to nothing"];
                break;
            case "delay":
                if (f.Delay <= TimeSpan.Zero && f.SendTime is null)
                    errors["delay_days"] = ["a delay step waits: delay_days, delay_hours, delay_minutes or send_time"];
                break;
            case "condition" when f.Branches?.Any(b => b is null) == true:
                errors["branches"] = ["branches, not nulls"];
                break;
            case "condition":
                var all = (f.Conditions ?? []).Concat(f.ConditionType is null ? [] : [f.ConditionType]).ToList();
                if (all.Count == 0 && f.Branches is not { Count: > 0 })
                    errors["condition_type"] = ["required: " + string.Join(", ", Conditions)];
                if (all.Any(c => c is null || !Conditions.Contains(c)))
                    errors["condition_type"] = [$"{all.First(c => c is null || !Conditions.Contains(c)) ?? "null"} is not one of {string.Join(", ", Conditions)}"];
                if (StepTarget.Read(f.Then) is null)
                    errors["then"] = ["continue, stop, complete or a step_order"];
                if (StepTarget.Read(f.Else) is null)
                    errors["else"] = ["continue, stop, complete or a step_order"];
                foreach (var (b, i) in (f.Branches ?? []).Select((b, i) => (b, i)))
                {
                    if (b.Conditions is not { Count: > 0 } || b.Conditions.Any(c => !Conditions.Contains(c)))
                        errors[$"branches[{i}].conditions"] = ["one or more of " + string.Join(", ", Conditions)];
                    if (StepTarget.Read(b.Goto) is null)
                        errors[$"branches[{i}].goto"] = ["continue, stop, complete or a step_order"];
                }

                break;
            case "action":
                CheckAction(f.ActionType, f.ActionValue, errors);
                break;
        }
    }

    static void CheckAction(string? type, JsonElement? value, Dictionary<string, string[]> errors)
    {
        if (type is null || !Actions.Contains(type))
        {
            errors["action_type"] = ["one of " + string.Join(", ", Actions)];
            return;
        }

        var v = value is { ValueKind: JsonValueKind.Object } o ? o : default;
        string? S(string name) => v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        bool Has(string name) => v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null;
        switch (type)
        {
            case "update_status" when string.IsNullOrWhiteSpace(S("status")):
                errors["action_value.status"] = ["the lead state to move to"];
                break;
            case "tag_lead" when !Has("tags") && !Has("tag") && !Has("remove_tags"):
                errors["action_value.tags"] = ["tags to add (or remove_tags)"];
                break;
            case "tag_lead" when TagsOf(v, "tags").Concat(TagsOf(v, "remove_tags")).Any(t => t.Length is 0 or > 100):
                errors["action_value.tags"] = ["tags of 1 to 100 characters"];
                break;
            case "assign_to_user" when string.IsNullOrWhiteSpace(S("user_id")) && string.IsNullOrWhiteSpace(S("group")):
                errors["action_value.user_id"] = ["the owner (user_id) or an owner group (group)"];
                break;
            case "add_to_campaign" when !Guid.TryParse(S("campaign_id"), out _):
                errors["action_value.campaign_id"] = ["the campaign (segment) id"];
                break;
            case "add_to_campaign" when S("remove_from_campaign_id") is { } r && !Guid.TryParse(r, out _):
                errors["action_value.remove_from_campaign_id"] = ["a campaign (segment) id"];
                break;
        }
    }

    /// <summary>The tags a tag_lead value names (<c>tags</c> an array or a string, <c>tag</c> a string).</summary>
    public static IReadOnlyList<string> TagsOf(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
            return [];
        var list = new List<string>();
        if (value.TryGetProperty(name, out var p))
        {
            if (p.ValueKind == JsonValueKind.Array)
                list.AddRange(p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!.Trim()));
            else if (p.ValueKind == JsonValueKind.String)
                list.Add(p.GetString()!.Trim());
        }

        if (name == "tags" && value.TryGetProperty("tag", out var one) && one.ValueKind == JsonValueKind.String)
            list.Add(one.GetString()!.Trim());
        return list;
    }
}

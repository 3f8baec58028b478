using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Conditions;
using GrowthOps.Contracts.Leads;
using GrowthOps.Cortex.Data;
using GrowthOps.Templates;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// What a run's templates and conditions read: <c>contact</c> (the read model, snake_case), <c>event</c> (the trigger's payload),
/// <c>variables</c>, <c>steps.&lt;node id&gt;</c> (earlier steps' outputs), <c>run</c>, and for conditions <c>time</c> (hour,
/// day of week and date in the contact's time zone).
/// </summary>
public sealed class RunModel(ContactsStore contacts, TemplateRenderer templates)
{
    public static readonly IReadOnlySet<string> ContextPrefixes = new HashSet<string> { "event", "variables", "steps", "time", "run" };

    static readonly ConcurrentDictionary<string, Criteria?> ParsedConditions = new();

    readonly Dictionary<Guid, ContactSnapshot?> _contacts = [];

    public async Task<(ContactSnapshot? Contact, JsonObject Model)> BuildAsync(WorkflowRun run, DateTimeOffset now, CancellationToken ct)
    {
        ContactSnapshot? contact = null;
        // Per message (this is scoped): the watcher checks one event's contact against every candidate workflow's filter.
        if (run.ContactId is { } id && !_contacts.TryGetValue(id, out contact))
            _contacts[id] = contact = await contacts.GetAsync(id, ct);
        var model = new JsonObject
        {
            ["contact"] = contact is null ? null : JsonSerializer.SerializeToNode(contact, ContactsStore.Json),
            ["event"] = run.Context["event"]?.DeepClone(),
            ["variables"] = run.Context["variables"]?.DeepClone() ?? new JsonObject(),
            ["steps"] = run.Context["steps"]?.DeepClone() ?? new JsonObject(),
            ["run"] = new JsonObject { ["id"] = run.Id, ["workflow_id"] = run.WorkflowId, ["version"] = run.Version, ["started_at"] = run.StartedAt, ["trigger_type"] = run.TriggerType },
            ["time"] = Time(now, contact?.Timezone),
        };
        return (contact, model);
    }

    public static TimeZoneInfo Zone(string? timezone) =>
        timezone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var zone) ? zone : TimeZoneInfo.Utc;

    static JsonObject Time(DateTimeOffset now, string? timezone)
    {
        var local = TimeZoneInfo.ConvertTime(now, Zone(timezone));
        return new JsonObject
        {
            ["hour"] = local.Hour,
            ["day_of_week"] = local.DayOfWeek.ToString().ToLowerInvariant(),
            ["date"] = local.ToString("yyyy-MM-dd"),
            ["now"] = now.UtcDateTime,
        };
    }

    /// <summary>Every string of <paramref name="config"/> rendered as a template against the model.</summary>
    public JsonNode? Render(JsonElement config, JsonObject model)
    {
        var element = JsonSerializer.SerializeToElement(model);
        return Render(JsonNode.Parse(config.GetRawText()), element);
    }

    JsonNode? Render(JsonNode? node, JsonElement model) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Render(p.Value, model)))),
        JsonArray a => new JsonArray(a.Select(x => Render(x, model)).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s && s.Contains("{{", StringComparison.Ordinal) =>
            JsonValue.Create(templates.RenderPlain(s, model)),
        _ => node?.DeepClone(),
    };

    /// <summary>An email body rendered with HTML escaping (a contact's name never becomes markup).</summary>
    public string RenderHtml(string source, JsonObject model) => templates.RenderHtml(source, JsonSerializer.SerializeToElement(model));

    /// <summary>Conditions (a flat array with <c>logic</c>, or a group) parsed once per text; null when they do not parse.</summary>
    public static Criteria? Parse(JsonElement conditions, JsonElement? logic, out IReadOnlyList<CriteriaError> errors)
    {
        var result = CriteriaParser.Parse(conditions, logic, ContactsStore.ActivityRetentionDays, "conditions", "logic", ContextPrefixes);
        errors = result.Errors;
        return result.Criteria;
    }

    static Criteria? Cached(JsonElement conditions, JsonElement? logic) =>
        ParsedConditions.GetOrAdd(conditions.GetRawText() + "|" + logic?.GetRawText(), _ => Parse(conditions, logic, out IReadOnlyList<CriteriaError> _));

    /// <summary>Whether the conditions hold for the run's contact, event and context now.</summary>
    public async Task<bool> HoldsAsync(JsonElement conditions, JsonElement? logic, ContactSnapshot? contact, JsonObject model, DateTimeOffset now,
        CancellationToken ct)
    {
        if (Cached(conditions, logic) is not { } criteria)
            return false;
        // Activities (up to 90 days of them) only for criteria that count some; a filter on the event or the contact reads none.
        var activities = contact is null || !criteria.ReadsActivities ? []
            : await contacts.ActivitiesAsync(contact.Id, now.AddDays(-ContactsStore.ActivityRetentionDays), ct);
        var facts = Facts(contact, activities, JsonSerializer.SerializeToElement(model));
        return CriteriaEvaluator.Matches(criteria, facts, now);
    }

    /// <summary>
    /// The trigger filters' check for one event: the contact read once, the facts built once (activities loaded only when
    /// some filter counts them), each candidate workflow's filter then an in-memory evaluation. The context is the event and
    /// the time (a run has no variables or steps before it starts).
    /// </summary>
    public async Task<Func<JsonElement, Task<bool>>> FiltersForAsync(TriggerEvent e, DateTimeOffset now, CancellationToken ct)
    {
        ContactSnapshot? contact = null;
        if (e.ContactId is { } id && !_contacts.TryGetValue(id, out contact))
            _contacts[id] = contact = await contacts.GetAsync(id, ct);
        var context = JsonSerializer.SerializeToElement(new JsonObject
        {
            ["contact"] = contact is null ? null : JsonSerializer.SerializeToNode(contact, ContactsStore.Json),
            ["event"] = e.Payload.DeepClone(), ["variables"] = new JsonObject(), ["steps"] = new JsonObject(), ["run"] = new JsonObject(),
            ["time"] = Time(now, contact?.Timezone),
        });
        var plain = Facts(contact, [], context);
        ContactFacts? withActivities = null;
        return async filter =>
        {
            if (Cached(filter, null) is not { } criteria)
                return false;
            if (criteria.ReadsActivities && contact is not null)
                withActivities ??= Facts(contact, await contacts.ActivitiesAsync(contact.Id, now.AddDays(-ContactsStore.ActivityRetentionDays), ct), context);
            return CriteriaEvaluator.Matches(criteria, criteria.ReadsActivities && withActivities is not null ? withActivities : plain, now);
        };
    }

    static ContactFacts Facts(ContactSnapshot? c, IReadOnlyList<ContactsStore.Activity> activities, JsonElement context)
    {
        var facts = activities.Select(a => new ActivityFact(a.Id, a.Type, new DateTimeOffset(a.OccurredAt, TimeSpan.Zero),
            a.Metadata is null ? new Dictionary<string, JsonElement>() : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(a.Metadata)!)).ToList();
        var totals = facts.GroupBy(a => a.Type).ToDictionary(g => g.Key,
            g => new ActivityTotals(g.LongCount(), g.Min(a => a.OccurredAt), g.Max(a => a.OccurredAt)));
        if (c is null)
            return new ContactFacts { Id = Guid.Empty, CreatedAt = DateTimeOffset.MinValue, UpdatedAt = DateTimeOffset.MinValue, Context = context };
        return new ContactFacts
        {
            Id = c.Id, Email = c.Email, Kind = c.Kind, FirstName = c.FirstName, LastName = c.LastName, Phone = c.Phone, Company = c.Company,
            Source = c.Source, Channel = c.Channel, OwnerId = c.OwnerId, Timezone = c.Timezone, Score = c.Score, AiScore = c.AiScore,
            MarketingConsent = c.MarketingConsent, EmailVerified = c.EmailVerified,
            Attributes = c.Attributes ?? new Dictionary<string, JsonElement>(), Tags = c.Tags, LeadState = c.LeadState, StateEnteredAt = c.StateEnteredAt,
            LastInteractionAt = c.LastInteractionAt, CreatedAt = c.CreatedAt, UpdatedAt = c.UpdatedAt, ActivityTotals = totals, Activities = facts,
            Context = context,
        };
    }
}

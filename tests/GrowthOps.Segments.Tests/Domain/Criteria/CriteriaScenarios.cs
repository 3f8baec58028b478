using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace GrowthOps.Segments.Tests.Domain.Criteria;

/// <summary>
/// FsCheck generators for <see cref="CriteriaScenario"/>: random contacts (with activities) and random criteria trees over
/// them. Values come from small pools chosen where the back ends could disagree: text differing only in case (ASCII and
/// not), empty strings, nulls, emoji and newlines; instants a few ticks either side of "7 days ago", of midnight and of
/// 2000-01-01 (where PostgreSQL's microseconds round the other way); numbers in JSON as 80, 80.0, 1e2, -0 and beyond
/// decimal's range; attributes of the wrong JSON type; date strings PostgreSQL and .NET might read differently.
/// </summary>
public static class CriteriaScenarios
{
    /// <summary>The moment of evaluation: not on a microsecond, so truncation is exercised.</summary>
    public static readonly DateTimeOffset Now = new DateTimeOffset(2025, 6, 15, 12, 34, 56, TimeSpan.Zero).AddTicks(7_890_123);

    public const int RetentionDays = 365;

    public static Arbitrary<CriteriaScenario> Scenario() => Arb.From(
        from contacts in Contact.NonEmptyListOf().Resize(30)
        from criteria in Root.ListOf(12)
        select new CriteriaScenario(contacts.ToList(), criteria.Select(c => c.ToJsonString()).ToList()));

    static readonly string?[] Texts =
    [
        null, "", "alice@example.com", "ALICE@Example.COM", "Bob", "bob", " bob", "École", "école", "ÉCOLE", "straße", "STRASSE",
        "İstanbul", "istanbul", "😀 party", "line\nbreak", "new", "New", "qualified", "a-b.c", "x%y_z", "tab\there", "Ω", "abc", "ABC1", "trailing break\n",
    ];

    static readonly string[] TextValues =
    [
        "alice", "ALICE@EXAMPLE.COM", "bob", "Bob", "école", "ÉCOLE", "École", "e", "straße", "new", "NEW", "%", "_", "😀", "\n",
        "ω", "Ω", "", "abc", "b",
    ];

    static readonly string[] Regexes =
    [
        "^a", "e$", "^[a-z]+$", @"\d", "^.{3}$", "[^a-z]", "(new|qualified)", "ß", "^.$", "😀", "^😀", @"\s", "b.b", "^$", "x{2,}",
        "[A-F]", @".*\.com$", @"^\w+@", "(?:ab)+", @"\W", @"^\S+$", @"[\d-]", "^[^ ]*$", "k$", @"break$", "^.......$", "[É-Ü]",
        @"^\D*$", "b|^$", "(a|b)c?", @"[\]a-]", @"\.", "Ω", "^ω",
    ];

    static readonly string[] Tags = ["vip", "lead", "test", "churned", "VIP"];

    static readonly string[] TagValues = ["vip", "VIP", "test", "lead", "none"];

    static readonly string[] AttributeKeys = ["plan", "age", "signup", "vip", "weird key", "a.b"];

    static readonly string[] MetadataKeys = ["product", "amount", "at", "missing"];

    static readonly string[] JsonValues =
    [
        "80", "80.0", "80.50", "1e2", "-0", "0.1", "1e-30", "12345678901234567890123456789012345", "81", "-3",
        "\"80\"", "\"pro\"", "\"PRO\"", "\"Enterprise\"", "\"\"", "\"P2P\"", "\"p2p\"",
        "\"2024-05-01\"", "\"2024-05-01T10:00:00Z\"", "\"2024-05-01T10:00:00+14:00\"", "\"2024-02-30\"", "\"2024-05-01T10:00:00\"",
        "\"2024-05-01T10:00:00.1234567Z\"", "\"2025-06-15\"", "\"2025-06-14T23:59:59.999999Z\"",
        "true", "false", "null", "[1,2]", "{\"a\":1}",
    ];

    static readonly decimal[] Numbers = [0m, 1m, 3m, 4m, 50m, 79.5m, 80m, 81m, 100m, -1m, 0.5m, 0.1m];

    static readonly decimal[] Days = [0m, 1m, 6m, 7m, 7.5m, 8m, 30m, 31m, -1m, 365m, 366m];

    static readonly string[] DateValues =
    [
        "now", "today", "yesterday", "tomorrow", "7 days ago", "30 days ago", "1 day from now", "2 hours ago", "1 month ago",
        "1 year ago", "365 days ago", "2024-05-01", "2024-05-01T00:00:00Z", "1999-12-31T23:59:59.9999995Z", "1999-12-31T23:59:59Z",
        "2025-06-15T12:34:56.789012Z", "2025-06-08T12:34:56.7890125+00:00", "2024-05-01T10:00:00+14:00",
    ];

    static readonly string[] ActivityTypes = ["email.opened", "checkout.completed", "page.viewed"];

    static readonly DateTimeOffset[] DateBases =
    [
        Now, DateValue.Midnight(Now), new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero),
    ];

    static readonly int[] DayOffsets = [0, 0, -1, -7, -30, -31, -365, -366, 1, 30];

    static readonly long[] TickOffsets = [0, 0, 1, -1, 5, -5, 9, 10, -10, 11, 10_000_000, -864_000_000_000 / 2];

    static Gen<T?> OrNull<T>(Gen<T> gen) where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (4, gen.Select(v => (T?)v)));

    static readonly Gen<DateTimeOffset> Instant =
        from b in Gen.Elements(DateBases)
        from d in Gen.Elements(DayOffsets)
        from t in Gen.Elements(TickOffsets)
        select b.AddDays(d).AddTicks(t);

    static readonly Gen<JsonElement> Json = Gen.Elements(JsonValues).Select(raw => JsonDocument.Parse(raw).RootElement.Clone());

    static Gen<Dictionary<string, JsonElement>> JsonObject(string[] keys) =>
        from chosen in Gen.SubListOf(keys)
        from values in Json.ArrayOf(chosen.Count)
        select chosen.Zip(values).ToDictionary(p => p.First, p => p.Second);

    static readonly Gen<ActivityFact> Activity =
        from type in Gen.Elements(ActivityTypes)
        from at in Instant
        from metadata in JsonObject(MetadataKeys)
        from id in Gen.Fresh(Guid.NewGuid)
        select new ActivityFact(id, type, at, metadata);

    /// <summary>Totals as the read model keeps them: every kept activity, plus (sometimes) older ones already swept away.</summary>
    static Gen<Dictionary<string, ActivityTotals>> Totals(IReadOnlyList<ActivityFact> activities) =>
        from extra in Gen.Choose(0, 2).ArrayOf(ActivityTypes.Length + 1)
        select ActivityTypes.Append("legacy.import")
            .Select((type, i) => (type, kept: activities.Where(a => a.Type == type).ToList(), extra: extra[i]))
            .Where(x => x.kept.Count + x.extra > 0)
            .ToDictionary(x => x.type, x => new ActivityTotals(
                x.kept.Count + x.extra,
                x.extra > 0 ? Now.AddDays(-800) : x.kept.Min(a => a.OccurredAt),
                x.kept.Count > 0 ? x.kept.Max(a => a.OccurredAt) : Now.AddDays(-700)));

    static readonly Gen<ContactFacts> Contact =
        from id in Gen.Fresh(Guid.NewGuid)
        from texts in Gen.Elements(Texts).ArrayOf(11)
        from state in Gen.Elements<string?>(null, "new", "New", "qualified", "won", "")
        from score in Gen.Elements(0, 1, 50, 80, 81, -5, 100)
        from aiScore in OrNull(Gen.Elements(0, 79, 80, 81, 99))
        from purchases in OrNull(Gen.Elements(0, 3, 4))
        from predicted in OrNull(Gen.Elements(0m, 0.5m, 1m, 49.99m, 50m, 79.5m, 80m, 80.01m, 100m))
        from flags in Gen.Elements(true, false).ArrayOf(2)
        from dates in OrNull(Instant).ArrayOf(3)
        from created in Instant
        from updated in Instant
        from tags in Gen.SubListOf(Tags)
        from attributes in JsonObject(AttributeKeys)
        from activities in Activity.ListOf().Resize(6)
        from totals in Totals(activities)
        select new ContactFacts
        {
            Id = id, Email = texts[0], Kind = texts[1], FirstName = texts[2], LastName = texts[3], Phone = texts[4], Company = texts[5],
            Source = texts[6], Channel = texts[7], OwnerId = texts[8], Timezone = texts[9], LeadState = state ?? texts[10],
            Score = score, AiScore = aiScore, PurchaseCount = purchases, PredictedConversion = predicted, MarketingConsent = flags[0], EmailVerified = flags[1],
            ConsentAt = dates[0], StateEnteredAt = dates[1], LastInteractionAt = dates[2], CreatedAt = created, UpdatedAt = updated,
            Tags = tags.ToList(), Attributes = attributes, Activities = activities.ToList(), ActivityTotals = totals,
        };

    // ---- criteria, as the JSON a client sends

    static JsonNode? Value(object? v) => v switch
    {
        null => null,
        decimal d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    static Gen<JsonNode?> ScalarOf(FieldType type, bool days, CriteriaOperator op) => type switch
    {
        FieldType.Number => Gen.Elements(days ? Days : Numbers).Select(n => Value(n)),
        FieldType.Date => Gen.Elements(DateValues).Select(s => Value(s)),
        FieldType.Boolean => Gen.Elements(true, false).Select(b => Value(b)),
        FieldType.Tags => Gen.Elements(TagValues).Select(s => Value(s)),
        _ when op == CriteriaOperator.Regex => Gen.Elements(Regexes).Select(s => Value(s)),
        _ when op is CriteriaOperator.Contains or CriteriaOperator.NotContains or CriteriaOperator.StartsWith or CriteriaOperator.EndsWith => Gen.Elements(TextValues.Where(t => t.Length > 0).ToArray()).Select(s => Value(s)),
        _ => Gen.Elements(TextValues).Select(s => Value(s)),
    };

    static Gen<JsonNode?> ValueFor(FieldType type, bool days, CriteriaOperator op) => op switch
    {
        CriteriaOperator.IsNull or CriteriaOperator.IsNotNull => Gen.Constant<JsonNode?>(null),
        CriteriaOperator.In or CriteriaOperator.NotIn => ScalarOf(type, days, op).NonEmptyListOf().Resize(3)
            .Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray())),
        CriteriaOperator.Between when type == FieldType.Number => ScalarOf(type, days, op).Two()
            .Select(p => (JsonNode?)new JsonArray(new[] { p.Item1!, p.Item2! }.OrderBy(n => n.GetValue<decimal>()).Select(n => (JsonNode?)n.DeepClone()).ToArray())),
        CriteriaOperator.Between => ScalarOf(type, days, op).Two().Select(p => (JsonNode?)new JsonArray(p.Item1, p.Item2)),
        _ => ScalarOf(type, days, op),
    };

    static Gen<JsonNode> Condition(string field, FieldType type, bool days, bool declareType) =>
        from op in Gen.Elements(CriteriaOperators.All.Where(o => CriteriaOperators.TryParse(o, out var x) && CriteriaOperators.AppliesTo(x, type)).ToArray())
        let parsed = Parse(op)
        from value in ValueFor(type, days, parsed)
        select Build(field, op, value, declareType ? type.ToString().ToLowerInvariant() : null);

    static CriteriaOperator Parse(string name) => CriteriaOperators.TryParse(name, out var op) ? op : throw new ArgumentException(name);

    static JsonNode Build(string field, string op, JsonNode? value, string? type)
    {
        var node = new JsonObject { ["field"] = field, ["operator"] = op };
        if (value is not null)
            node["value"] = value;
        else if (op is not ("is_null" or "is_not_null"))
            throw new InvalidOperationException("a value is needed");
        if (type is not null)
            node["type"] = type;
        return node;
    }

    static readonly Gen<JsonNode> CatalogueCondition =
        from field in Gen.Elements(FieldCatalogue.All.ToArray())
        from condition in Condition(field.Name, field.Type!.Value, field.Kind == FieldKind.DaysSince, declareType: false)
        select condition;

    /// <summary>An attribute or metadata condition: typed by its value, or by a declared type (dates need one).</summary>
    static Gen<JsonNode> JsonCondition(string prefix, string[] keys) =>
        from key in Gen.Elements(keys)
        from declared in Gen.Elements(true, false)
        from type in Gen.Elements(declared
            ? new[] { FieldType.Number, FieldType.Text, FieldType.Date, FieldType.Boolean }
            : new[] { FieldType.Number, FieldType.Text, FieldType.Boolean })
        from condition in Condition(prefix + key, type, days: false, declareType: declared || type == FieldType.Date)
        select condition;

    static readonly Gen<JsonNode> MetadataCondition = JsonCondition(FieldCatalogue.MetadataPrefix, MetadataKeys);

    static readonly Gen<JsonNode> Where = Gen.OneOf(
        MetadataCondition.NonEmptyListOf().Resize(2).Select(list => (JsonNode)new JsonArray(list.ToArray())),
        from logic in Gen.Elements("AND", "OR", "NOT")
        from list in MetadataCondition.ListOf().Resize(2)
        select (JsonNode)new JsonObject { ["logic"] = logic, ["conditions"] = new JsonArray(list.ToArray()) });

    static readonly Gen<JsonNode> ActivityCondition =
        from type in Gen.Elements(ActivityTypes.Append("legacy.import").Append("never.done").ToArray())
        from hasDone in Gen.Elements<bool?>(null, true, false)
        from atLeast in Gen.Elements<int?>(null, 0, 1, 2, 3)
        from atMostSpan in Gen.Elements<int?>(null, null, 0, 1, 2)
        from within in Gen.Elements<int?>(null, null, 1, 7, 30, RetentionDays)
        from filter in Gen.Frequency((2, Gen.Constant<JsonNode?>(null)), (1, Where.Select(w => (JsonNode?)w)))
        select ActivityNode(type, hasDone, atLeast, atMostSpan is { } span ? (atLeast ?? 1) + span : null, within, filter);

    static JsonNode ActivityNode(string type, bool? hasDone, int? atLeast, int? atMost, int? within, JsonNode? where)
    {
        var node = new JsonObject { ["activity"] = type };
        if (hasDone is { } h)
            node["has_done"] = h;
        if (atLeast is { } l)
            node["at_least"] = l;
        if (atMost is { } m)
            node["at_most"] = m;
        if (within is { } w)
            node["within_days"] = w;
        if (where is not null)
            node["where"] = where;
        return node;
    }

    static readonly Gen<JsonNode> Leaf = Gen.Frequency(
        (5, CatalogueCondition),
        (2, JsonCondition(FieldCatalogue.AttributePrefix, AttributeKeys)),
        (2, ActivityCondition));

    static Gen<JsonNode> Node(int depth) => depth <= 0
        ? Leaf
        : Gen.Frequency((3, Leaf), (1, Group(depth)));

    static Gen<JsonNode> Group(int depth) =>
        from logic in Gen.Elements("AND", "OR", "NOT", "and", "or")
        from conditions in Node(depth - 1).ListOf().Resize(3)
        select (JsonNode)new JsonObject { ["logic"] = logic, ["conditions"] = new JsonArray(conditions.ToArray()) };

    /// <summary>A request body: the flat form (with or without <c>criteria_logic</c>) or a nested group as <c>criteria</c>.</summary>
    static readonly Gen<JsonNode> Root = Gen.OneOf(
        from conditions in Node(1).NonEmptyListOf().Resize(3)
        from logic in Gen.Elements<string?>(null, "AND", "OR")
        select (JsonNode)(logic is null
            ? new JsonObject { ["criteria"] = new JsonArray(conditions.ToArray()) }
            : new JsonObject { ["criteria"] = new JsonArray(conditions.ToArray()), ["criteria_logic"] = logic }),
        Group(3).Select(g => (JsonNode)new JsonObject { ["criteria"] = g }));
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Modelling;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain.Predictive;

/// <summary>
/// Refinement (<c>use_ai_refinement</c>), with no LLM: among a segment's members whose lead state is won or lost, single
/// conditions that best separate the won ones — thresholds on <c>score</c>, <c>ai_score</c>, <c>days_inactive</c> and
/// <c>predicted_conversion</c>, the boolean fields, tags, and "has done activity T at least N times" for the members'
/// commonest activity types. Candidates are chosen on the members not <see cref="HeldOut"/>, by informedness (share of
/// won kept minus share of lost kept; the best per feature), then measured on the held-out quarter through the criteria's
/// own SQL: precision, recall, lift, support, and the members the segment would keep.
/// </summary>
public sealed class SegmentRefinement(RefinementStore store, CriteriaCompiler compiler, TimeProvider clock, IOptions<PredictiveOptions> options)
{
    public const int MaxSuggestions = 5;
    const int MaxActivityTypes = 10;
    const int MaxTags = 20;
    const int MaxCuts = 20;
    static readonly double[] Quantiles = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    sealed record Member(RefinementStore.MemberRow Row, IReadOnlyDictionary<string, long> Activity);

    sealed record Candidate(string Feature, JsonObject Condition, string Description, Func<Member, bool> Matches);

    public async Task<Refinement> SuggestAsync(Segment segment, CancellationToken ct)
    {
        var rows = await store.OutcomeMembersAsync(segment.Id, clock.GetUtcNow(), options.Value.MaxTrainingContacts, ct);
        var activity = (await store.ActivityAsync(rows.Select(r => r.Id).ToList(), ct)).GroupBy(a => a.ContactId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(a => a.Type, a => a.Count, StringComparer.Ordinal));
        var members = rows.Select(r => new Member(r, activity.GetValueOrDefault(r.Id) ?? new Dictionary<string, long>())).ToList();
        int won = members.Count(m => m.Row.Won), lost = members.Count - won, min = options.Value.RefinementMinOutcomes;
        var details = new Dictionary<string, object?> { ["won"] = won, ["lost"] = lost, ["min_outcomes"] = min };
        if (won < min || lost < min)
            throw new RuleRefusedException(
                $"Not enough outcome history among the members of segment '{segment.Name}': {won} won and {lost} lost, {min} of each are needed to measure a refinement.",
                details);
        var training = members.Where(m => !HeldOut.Contains(m.Row.Id)).ToList();
        var heldOut = members.Where(m => HeldOut.Contains(m.Row.Id)).ToList();
        if (!training.Any(m => m.Row.Won) || !training.Any(m => !m.Row.Won) || !heldOut.Any(m => m.Row.Won) || !heldOut.Any(m => !m.Row.Won))
            throw new RuleRefusedException(
                $"Not enough outcome history among the members of segment '{segment.Name}': the held-out quarter needs won and lost members.", details);

        var chosen = Candidates(training)
            .Select(c => (Candidate: c, Informedness: Informedness(c, training)))
            .Where(x => x.Informedness > 0)
            .GroupBy(x => x.Candidate.Feature)
            .Select(g => g.OrderByDescending(x => x.Informedness).First())
            .OrderByDescending(x => x.Informedness).ThenBy(x => x.Candidate.Description, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .ToList();

        var winRate = heldOut.Count(m => m.Row.Won) / (double)heldOut.Count;
        var suggestions = new List<RefinementSuggestion>();
        foreach (var (candidate, informedness) in chosen)
        {
            var condition = JsonSerializer.SerializeToElement(candidate.Condition);
            var criteria = compiler.Parse(JsonSerializer.SerializeToElement(new JsonArray(candidate.Condition.DeepClone()))).Criteria
                           ?? throw new InvalidOperationException($"A refinement condition does not parse: {candidate.Condition.ToJsonString()}");
            var counts = await store.CountAsync(segment.Id, compiler.ToSql(criteria, "c", "rf"), ct);
            var kept = counts.TruePositives + counts.FalsePositives;
            double? precision = kept == 0 ? null : counts.TruePositives / (double)kept;
            var heldOutWon = counts.TruePositives + counts.FalseNegatives;
            suggestions.Add(new RefinementSuggestion(condition, candidate.Description, Round(precision),
                Round(heldOutWon == 0 ? 0 : counts.TruePositives / (double)heldOutWon)!.Value, Round(precision / winRate), kept, counts.MemberCount,
                Round(informedness)!.Value));
        }

        return new Refinement(segment.Id, won, lost, heldOut.Count, Round(winRate)!.Value, segment.MemberCount, suggestions);
    }

    static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;

    /// <summary>Share of won members kept minus share of lost kept; a condition that keeps every member narrows nothing (0).</summary>
    static double Informedness(Candidate candidate, IReadOnlyList<Member> members)
    {
        int keptWon = 0, keptLost = 0, won = 0;
        foreach (var m in members)
        {
            won += m.Row.Won ? 1 : 0;
            if (!candidate.Matches(m))
                continue;
            if (m.Row.Won)
                keptWon++;
            else
                keptLost++;
        }

        if (keptWon + keptLost == members.Count)
            return 0;
        return keptWon / (double)won - keptLost / (double)(members.Count - won);
    }

    static IEnumerable<Candidate> Candidates(IReadOnlyList<Member> members)
    {
        foreach (var c in Thresholds("score", members.Select(m => (decimal?)m.Row.Score), m => m.Row.Score))
            yield return c;
        foreach (var c in Thresholds("ai_score", members.Select(m => (decimal?)m.Row.AiScore), m => m.Row.AiScore))
            yield return c;
        foreach (var c in Thresholds("days_inactive", members.Select(m => (decimal?)m.Row.DaysInactive), m => m.Row.DaysInactive))
            yield return c;
        foreach (var c in Thresholds(PropensityTraining.Field, members.Select(m => m.Row.PredictedConversion), m => m.Row.PredictedConversion))
            yield return c;

        foreach (var (field, read) in new (string, Func<Member, bool>)[] { ("email_verified", m => m.Row.EmailVerified), ("marketing_consent", m => m.Row.MarketingConsent) })
            foreach (var value in new[] { true, false })
                yield return new Candidate(field, Field(field, "equals", value), $"{field} is {(value ? "true" : "false")}", m => read(m) == value);

        foreach (var tag in members.SelectMany(m => m.Row.Tags.Distinct(StringComparer.Ordinal)).GroupBy(t => t, StringComparer.Ordinal)
                     .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxTags).Select(g => g.Key))
        {
            yield return new Candidate($"tags:{tag}", Field("tags", "contains", tag), $"tagged '{tag}'", m => m.Row.Tags.Contains(tag, StringComparer.Ordinal));
            yield return new Candidate($"tags:{tag}", Field("tags", "not_contains", tag), $"not tagged '{tag}'", m => !m.Row.Tags.Contains(tag, StringComparer.Ordinal));
        }

        foreach (var type in members.SelectMany(m => m.Activity.Keys).GroupBy(t => t, StringComparer.Ordinal)
                     .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxActivityTypes).Select(g => g.Key))
        {
            foreach (var atLeast in Cuts(members.Select(m => m.Activity.GetValueOrDefault(type)).Where(n => n > 0).ToList()))
                yield return new Candidate($"activity:{type}", new JsonObject { ["activity"] = type, ["has_done"] = true, ["at_least"] = atLeast },
                    $"has done {type} at least {atLeast} time{(atLeast == 1 ? "" : "s")}", m => m.Activity.GetValueOrDefault(type) >= atLeast);
            yield return new Candidate($"activity:{type}", new JsonObject { ["activity"] = type, ["has_done"] = false }, $"has never done {type}",
                m => m.Activity.GetValueOrDefault(type) == 0);
        }
    }

    /// <summary>Thresholds worth trying: every distinct value when there are few, else the deciles.</summary>
    static IEnumerable<T> Cuts<T>(IReadOnlyList<T> values)
    {
        var distinct = values.Distinct().Order().ToList();
        if (distinct.Count <= MaxCuts)
            return distinct;
        var sorted = values.Order().ToList();
        return Quantiles.Select(q => sorted[(int)(q * (sorted.Count - 1))]).Distinct();
    }

    /// <summary><c>≥ t</c> and <c>≤ t</c> at the <see cref="Cuts"/> of the members' values (a member without one matches neither).</summary>
    static IEnumerable<Candidate> Thresholds(string field, IEnumerable<decimal?> values, Func<Member, decimal?> read)
    {
        foreach (var t in Cuts(values.OfType<decimal>().ToList()))
        {
            var text = t.ToString(CultureInfo.InvariantCulture);
            yield return new Candidate(field, Field(field, "greater_than_or_equals", t), $"{field} ≥ {text}", m => read(m) >= t);
            yield return new Candidate(field, Field(field, "less_than_or_equals", t), $"{field} ≤ {text}", m => read(m) <= t);
        }
    }

    static JsonObject Field(string field, string op, JsonNode value) => new() { ["field"] = field, ["operator"] = op, ["value"] = value };
}

using System.Text.Json;
using GrowthOps.Conditions;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain;

/// <summary>
/// Criteria with the service's clock and settings: parse and validate once (a segment's criteria), then evaluate as often
/// as needed, each time at the clock's "now" so relative dates move.
/// </summary>
public sealed class CriteriaCompiler(TimeProvider clock, IOptions<SegmentsOptions> options)
{
    public CriteriaParseResult Parse(JsonElement criteria, JsonElement? criteriaLogic = null) =>
        CriteriaParser.Parse(criteria, criteriaLogic, options.Value.ActivityRetentionDays);

    public SqlFragment ToSql(Criteria criteria, string contactAlias = "c", string parameterPrefix = "cr") =>
        CriteriaSql.Compile(criteria, clock.GetUtcNow(), contactAlias, parameterPrefix);

    public bool Matches(Criteria criteria, ContactFacts contact) => CriteriaEvaluator.Matches(criteria, contact, clock.GetUtcNow());

    public CriteriaExplanation Explain(Criteria criteria, ContactFacts contact) => CriteriaEvaluator.Explain(criteria, contact, clock.GetUtcNow());
}

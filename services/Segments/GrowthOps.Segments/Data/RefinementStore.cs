using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Predictive;

namespace GrowthOps.Segments.Data;

/// <summary>
/// What a segment's refinement reads: its members whose lead state is an outcome (won or lost) with the fields candidate
/// conditions test, and, for a candidate as criteria, its confusion counts on the held-out members and how many members
/// it keeps — counted by the criteria's own SQL, so the figures are those of the condition as a client would append it.
/// </summary>
public sealed class RefinementStore(UnitOfWork unitOfWork)
{
    /// <summary>A class, not a positional record: Dapper maps arrays to properties only.</summary>
    public sealed class MemberRow
    {
        public Guid Id { get; init; }
        public bool Won { get; init; }
        public int Score { get; init; }
        public int? AiScore { get; init; }
        public decimal? PredictedConversion { get; init; }
        public bool EmailVerified { get; init; }
        public bool MarketingConsent { get; init; }
        public string[] Tags { get; init; } = [];
        public int DaysInactive { get; init; }
    }

    public sealed record ActivityRow(Guid ContactId, string Type, long Count);

    /// <summary>Counts on the held-out outcome members (<c>get_byte(uuid_send(id), 15) % 4 = 0</c>, as <see cref="GrowthOps.Modelling.HeldOut"/>).</summary>
    public sealed record Counts(int TruePositives, int FalsePositives, int FalseNegatives, int MemberCount);

    const string Members = """
          from segments.segment_membership m
          join segments.contacts c on c.tenant_id = m.tenant_id and c.id = m.contact_id
        """;

    const string OfOutcome = $"m.tenant_id = segments.current_tenant() and m.segment_id = @segmentId and not c.deleted and {PropensityFeatures.IsOutcome}";

    /// <summary>The latest <paramref name="limit"/> outcome members (candidates are chosen on these; measures count all held-out ones).</summary>
    public async Task<IReadOnlyList<MemberRow>> OutcomeMembersAsync(Guid segmentId, DateTimeOffset now, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<MemberRow>(unitOfWork.Command($"""
            select c.id, lower(c.lead_state) = '{PropensityFeatures.Won}' as won, c.score, c.ai_score, c.predicted_conversion, c.email_verified,
                   c.marketing_consent, c.tags,
                   floor(extract(epoch from @now - coalesce(c.last_interaction_at, c.created_at)) / 86400)::int as days_inactive
            {Members}
             where {OfOutcome}
             order by c.state_entered_at desc nulls last, c.id
             limit @limit
            """, new { segmentId, now, limit }, ct))).ToList();

    /// <summary>Activity totals per type of these contacts, over their whole history (what an activity condition without a window counts).</summary>
    public async Task<IReadOnlyList<ActivityRow>> ActivityAsync(IReadOnlyList<Guid> contactIds, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<ActivityRow>(unitOfWork.Command("""
            select t.contact_id, t.type, t.count from segments.contact_activity t
             where t.tenant_id = segments.current_tenant() and t.contact_id = any(@ids)
            """, new { ids = contactIds.ToArray() }, ct))).ToList();

    public async Task<Counts> CountAsync(Guid segmentId, SqlFragment condition, CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        parameters.AddDynamicParams(condition.Parameters);
        parameters.Add("segmentId", segmentId);
        return await unitOfWork.Connection.QuerySingleAsync<Counts>(unitOfWork.Command($"""
            select count(*) filter (where o.held_out and o.won and o.matches)::int as true_positives,
                   count(*) filter (where o.held_out and not o.won and o.matches)::int as false_positives,
                   count(*) filter (where o.held_out and o.won and not o.matches)::int as false_negatives,
                   count(*) filter (where o.matches)::int as member_count
              from (select {PropensityFeatures.IsOutcome} and get_byte(uuid_send(c.id), 15) % 4 = 0 as held_out,
                           lower(c.lead_state) = '{PropensityFeatures.Won}' as won, {condition.TwoValued} as matches
                    {Members}
                     where m.tenant_id = segments.current_tenant() and m.segment_id = @segmentId and not c.deleted) o
            """, parameters, ct));
    }
}

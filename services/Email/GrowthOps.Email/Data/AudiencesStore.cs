using Dapper;
using GrowthOps.Email.Domain.Campaigns;
using GrowthOps.Persistence;

namespace GrowthOps.Email.Data;

/// <summary>
/// Audiences resolved in SQL over Email's read model (recipients, segment membership, suppressions): counted before sending,
/// a sample recipient for the preview, the span of a per-recipient local-time schedule, and the campaign's fan-out.
/// Set-based: one statement each, however large the audience.
/// </summary>
public sealed class AudiencesStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// The audience's live recipients (a CTE named <c>audience</c>) over the parameters of <see cref="Args"/>: in an included
    /// segment, listed, or consenting when all consenting are asked for; and in no excluded segment.
    /// </summary>
    internal const string AudienceCte = """
        audience as (
          select r.contact_id, r.email, r.timezone, r.marketing_consent
            from email.recipients r
           where r.tenant_id = email.current_tenant() and not r.deleted
             and ((@all_consenting and r.marketing_consent)
                  or r.contact_id = any(@contact_ids)
                  or exists (select 1 from email.segment_members m
                              where m.tenant_id = r.tenant_id and m.segment_id = any(@include_segments) and m.contact_id = r.contact_id and m.member))
             and not exists (select 1 from email.segment_members m
                              where m.tenant_id = r.tenant_id and m.segment_id = any(@exclude_segments) and m.contact_id = r.contact_id and m.member)
        )
        """;

    /// <summary>The recipient's suppression entry, if any (a <c>left join</c> on <c>audience a</c>).</summary>
    internal const string SuppressionJoin = "left join email.suppressions s on s.tenant_id = email.current_tenant() and s.email = lower(a.email)";

    /// <summary>
    /// The zone an instant is computed in: the recipient's when PostgreSQL knows it (any case), else the fallback. A
    /// <c>left join</c> on <c>audience a</c> against the zone names read once per statement, so an unknown zone in one contact
    /// cannot fail the whole statement.
    /// </summary>
    internal const string ZoneJoin = "left join zones z on z.lower_name = lower(a.timezone)";

    internal const string ZonesCte = "zones as materialized (select name, lower(name) as lower_name from pg_timezone_names)";

    internal static DynamicParameters Args(CampaignAudience audience, object? more = null)
    {
        var args = new DynamicParameters(more);
        args.Add("all_consenting", audience.AllConsenting);
        args.Add("contact_ids", audience.ContactIds.ToArray());
        args.Add("include_segments", audience.IncludeSegments.ToArray());
        args.Add("exclude_segments", audience.ExcludeSegments.ToArray());
        return args;
    }

    public async Task<AudienceCounts> CountAsync(CampaignAudience audience, CancellationToken ct)
    {
        if (!audience.IsDefined)
            return new AudienceCounts(0, 0, 0, 0, 0);
        return await unitOfWork.Connection.QuerySingleAsync<AudienceCounts>(unitOfWork.Command($"""
            with {AudienceCte}
            select count(*)::int as total,
                   count(*) filter (where coalesce(a.email, '') <> '' and s.email is null and a.marketing_consent)::int as sendable,
                   count(*) filter (where coalesce(a.email, '') <> '' and s.email is not null)::int as suppressed,
                   count(*) filter (where coalesce(a.email, '') <> '' and s.email is null and not a.marketing_consent)::int as no_consent,
                   count(*) filter (where coalesce(a.email, '') = '')::int as no_email
              from audience a {SuppressionJoin}
            """, Args(audience), ct));
    }

    /// <summary>A recipient the campaign would be sent to (the first by contact id), for the review's preview; null when none would be.</summary>
    public Task<Guid?> SampleSendableAsync(CampaignAudience audience, CancellationToken ct) =>
        !audience.IsDefined ? Task.FromResult<Guid?>(null) : unitOfWork.Connection.QuerySingleOrDefaultAsync<Guid?>(unitOfWork.Command($"""
            with {AudienceCte}
            select a.contact_id from audience a {SuppressionJoin}
             where coalesce(a.email, '') <> '' and s.email is null and a.marketing_consent
             order by a.contact_id limit 1
            """, Args(audience), ct));

    /// <summary>
    /// The first and last instant at which <paramref name="localTime"/> on <paramref name="localDate"/> comes in the zones of the
    /// audience's recipients (<paramref name="fallbackZone"/> for those without a known one), DST included: PostgreSQL's
    /// <c>(date + time) at time zone</c>. The fallback's own instant when the audience is empty.
    /// </summary>
    public Task<(DateTime First, DateTime Last)> LocalTimeSpanAsync(CampaignAudience audience, string localDate, string localTime, string fallbackZone,
        CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<(DateTime, DateTime)>(unitOfWork.Command($"""
            with {AudienceCte}, {ZonesCte},
            instants as (
              select (@local_date::date + @local_time::time) at time zone coalesce(z.name, @fallback_zone) as at
                from audience a {ZoneJoin}
               where coalesce(a.email, '') <> ''
              union all
              select (@local_date::date + @local_time::time) at time zone @fallback_zone)
            select min(at), max(at) from instants
            """, Args(audience, new { local_date = localDate, local_time = localTime, fallback_zone = fallbackZone }), ct));

    /// <summary>Whether PostgreSQL knows the zone (as <c>at time zone</c> takes it).</summary>
    public Task<bool> IsKnownZoneAsync(string zone, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<bool>(unitOfWork.Command(
            "select exists (select 1 from pg_timezone_names where lower(name) = lower(@zone))", new { zone }, ct));
}

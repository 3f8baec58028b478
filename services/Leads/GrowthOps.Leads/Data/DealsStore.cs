using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>Pipelines, their stages, deals, their contacts and stage history (the tenant's rows, under row-level security).</summary>
public sealed class DealsStore(UnitOfWork unitOfWork)
{
    const string StageColumns = "s.id, s.pipeline_id, s.key, s.name, s.position, s.probability, s.closed_won, s.closed_lost";

    const string DealSelect = """
        select d.id, d.name, d.amount_minor, d.currency, d.pipeline_id, d.stage_id, d.owner_id, d.expected_close_date, d.source, d.channel,
               d.attributes::text as attributes, d.external_ids::text as external_ids, d.stage_entered_at, d.closed_at, d.created_at, d.updated_at,
               coalesce((select array_agg(c.contact_id order by c.added_at, c.contact_id) from leads.deal_contacts c
                          where c.tenant_id = d.tenant_id and c.deal_id = d.id), '{}') as contact_ids
          from leads.deals d
        """;

    public sealed record NewStage(string Key, string Name, decimal Probability, bool ClosedWon, bool ClosedLost);

    public async Task<bool> AnyPipelineAsync(CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteScalarAsync<bool>(unitOfWork.Command("select exists (select 1 from leads.pipelines)", null, ct));

    /// <summary>Adds a pipeline with its stages (positions in the given order); false when the tenant has one of that name.</summary>
    public async Task<bool> TryCreatePipelineAsync(Guid id, string name, bool isDefault, IReadOnlyList<NewStage> stages, CancellationToken ct)
    {
        var inserted = await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.pipelines (tenant_id, id, name, is_default) values (leads.current_tenant(), @id, @name, @isDefault)
            on conflict do nothing
            """, new { id, name, isDefault }, ct));
        if (inserted == 0)
            return false;
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.pipeline_stages (tenant_id, pipeline_id, id, key, name, position, probability, closed_won, closed_lost)
            values (leads.current_tenant(), @pipelineId, @Id, @Key, @Name, @Position, @Probability, @ClosedWon, @ClosedLost)
            """, stages.Select((s, i) => new { pipelineId = id, Id = Guid.CreateVersion7(), s.Key, s.Name, Position = i + 1, s.Probability, s.ClosedWon, s.ClosedLost }),
            ct));
        return true;
    }

    public async Task<IReadOnlyList<Pipeline>> PipelinesAsync(CancellationToken ct)
    {
        var pipelines = (await unitOfWork.Connection.QueryAsync<(Guid Id, string Name, bool IsDefault, DateTime CreatedAt)>(unitOfWork.Command(
            "select id, name, is_default, created_at from leads.pipelines order by is_default desc, created_at, id", null, ct))).AsList();
        var stages = (await unitOfWork.Connection.QueryAsync<PipelineStage>(unitOfWork.Command(
            $"select {StageColumns} from leads.pipeline_stages s order by s.pipeline_id, s.position", null, ct))).ToLookup(s => s.PipelineId);
        return pipelines.Select(p => new Pipeline(p.Id, p.Name, p.IsDefault, p.CreatedAt, stages[p.Id].ToList())).ToList();
    }

    public async Task<Deal?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<Deal>(unitOfWork.Command(
            DealSelect + " where d.id = @id" + (forUpdate ? " for update of d" : ""), new { id }, ct));

    public async Task<Deal?> FindByExternalIdAsync(string system, string externalId, CancellationToken ct, bool forUpdate = false) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<Deal>(unitOfWork.Command(
            DealSelect + " where d.external_ids ->> @system = @externalId" + (forUpdate ? " for update of d" : ""), new { system, externalId }, ct));

    public async Task InsertAsync(Deal deal, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.deals (tenant_id, id, name, amount_minor, currency, pipeline_id, stage_id, owner_id, expected_close_date, source, channel,
                                     attributes, external_ids, stage_entered_at, closed_at, created_at, updated_at)
            values (leads.current_tenant(), @Id, @Name, @AmountMinor, @Currency, @PipelineId, @StageId, @OwnerId, @ExpectedCloseDateText::date, @Source,
                    @Channel, @Attributes::jsonb, @ExternalIds::jsonb, @StageEnteredAt, @ClosedAt, @CreatedAt, @UpdatedAt)
            """, deal, ct));
        await SetContactsAsync(deal.Id, deal.ContactIds, ct);
    }

    /// <summary>Writes every field but the stage (moves go through <see cref="MoveAsync"/>).</summary>
    public Task UpdateAsync(Deal deal, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.deals set name = @Name, amount_minor = @AmountMinor, currency = @Currency, owner_id = @OwnerId,
                   expected_close_date = @ExpectedCloseDateText::date, source = @Source, channel = @Channel, attributes = @Attributes::jsonb,
                   external_ids = @ExternalIds::jsonb, updated_at = @UpdatedAt
             where id = @Id
            """, deal, ct));

    /// <summary>The deal's contacts become exactly <paramref name="contactIds"/>.</summary>
    public async Task SetContactsAsync(Guid dealId, IReadOnlyList<Guid> contactIds, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from leads.deal_contacts where deal_id = @dealId and not (contact_id = any(@contactIds))", new { dealId, contactIds = contactIds.ToArray() }, ct));
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.deal_contacts (tenant_id, deal_id, contact_id, added_at)
            select leads.current_tenant(), @dealId, c.id, clock_timestamp() from unnest(@contactIds) with ordinality as c(id, n) order by c.n
            on conflict do nothing
            """, new { dealId, contactIds = contactIds.ToArray() }, ct));
    }

    /// <summary>The ids among <paramref name="contactIds"/> that are no contact of the tenant.</summary>
    public async Task<IReadOnlyList<Guid>> UnknownContactsAsync(IReadOnlyList<Guid> contactIds, CancellationToken ct) =>
        contactIds.Count == 0 ? [] : (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command("""
            select w.id from unnest(@ids) as w(id) where not exists (select 1 from leads.contacts c where c.id = w.id)
            """, new { ids = contactIds.ToArray() }, ct))).AsList();

    /// <summary>Moves the deal to <paramref name="to"/> and records the change with the time spent in the stage it leaves.</summary>
    public async Task MoveAsync(Deal deal, PipelineStage? from, PipelineStage to, DateTime now, string source, string? triggeredBy, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.deals set stage_id = @toId, stage_entered_at = @now, updated_at = @now,
                   closed_at = case when @closed then coalesce(closed_at, @now) end
             where id = @id
            """, new { id = deal.Id, toId = to.Id, now, closed = to.IsClosed }, ct));
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.deal_stage_history (tenant_id, deal_id, id, from_stage_id, to_stage_id, time_in_from, source, triggered_by, changed_at)
            values (leads.current_tenant(), @dealId, @id, @fromId, @toId, @timeInFrom, @source, @triggeredBy, @now)
            """, new
        {
            dealId = deal.Id, id = Guid.CreateVersion7(), fromId = from?.Id, toId = to.Id,
            timeInFrom = from is null ? (TimeSpan?)null : now - deal.StageEnteredAt, source, triggeredBy, now,
        }, ct));
    }

    public async Task<IReadOnlyList<DealStageEntry>> HistoryAsync(Guid dealId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<DealStageEntry>(unitOfWork.Command("""
            select h.id, f.key as from_stage, t.key as to_stage, h.time_in_from, h.source, h.triggered_by, h.changed_at
              from leads.deal_stage_history h
              left join leads.pipeline_stages f on f.tenant_id = h.tenant_id and f.id = h.from_stage_id
              join leads.pipeline_stages t on t.tenant_id = h.tenant_id and t.id = h.to_stage_id
             where h.deal_id = @dealId
             order by h.changed_at, h.id
            """, new { dealId }, ct))).AsList();

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.deals where id = @id", new { id }, ct)) == 1;

    public sealed record ListFilter(Guid? PipelineId, string? Stage, string? OwnerId, Guid? ContactId, string? Status, string? Q);

    public async Task<Page<Deal>> ListAsync(ListFilter filter, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(DealSelect).Append(" join leads.pipeline_stages s on s.tenant_id = d.tenant_id and s.id = d.stage_id where true");
        var args = new DynamicParameters();
        if (filter.PipelineId is { } pipeline)
        {
            sql.Append(" and d.pipeline_id = @pipeline");
            args.Add("pipeline", pipeline);
        }
        if (filter.Stage is { } stage)
        {
            sql.Append(" and (s.key = @stage or s.id::text = @stage)");
            args.Add("stage", stage);
        }
        if (filter.OwnerId is { } owner)
        {
            sql.Append(" and d.owner_id = @owner");
            args.Add("owner", owner);
        }
        if (filter.ContactId is { } contact)
        {
            sql.Append(" and exists (select 1 from leads.deal_contacts c where c.tenant_id = d.tenant_id and c.deal_id = d.id and c.contact_id = @contact)");
            args.Add("contact", contact);
        }
        switch (filter.Status)
        {
            case "open":
                sql.Append(" and not s.closed_won and not s.closed_lost");
                break;
            case "won":
                sql.Append(" and s.closed_won");
                break;
            case "lost":
                sql.Append(" and s.closed_lost");
                break;
        }
        if (filter.Q is { Length: > 0 } q)
        {
            sql.Append(" and d.name ilike '%' || @q || '%'");
            args.Add("q", q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal));
        }
        Keyset.Append(sql, args, page, "d.created_at", "d.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Deal>(unitOfWork.Command(sql.ToString(), args, ct))).AsList();
        return Keyset.Page(rows, page, d => (d.CreatedAt, d.Id));
    }

    /// <summary>Deals per pipeline × stage × owner × currency (open ones only unless <paramref name="includeClosed"/>).</summary>
    public async Task<IReadOnlyList<PipelineTotalsRow>> TotalsAsync(Guid? pipelineId, bool includeClosed, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<PipelineTotalsRow>(unitOfWork.Command("""
            select p.id as pipeline_id, p.name as pipeline_name, s.id as stage_id, s.key as stage_key, s.name as stage_name, s.position, s.probability,
                   d.owner_id, d.currency, count(*)::int as deals, coalesce(sum(d.amount_minor), 0)::bigint as amount_minor,
                   coalesce(sum(d.amount_minor * s.probability), 0) as weighted_minor
              from leads.deals d
              join leads.pipeline_stages s on s.tenant_id = d.tenant_id and s.id = d.stage_id
              join leads.pipelines p on p.tenant_id = d.tenant_id and p.id = d.pipeline_id
             where (@pipelineId::uuid is null or d.pipeline_id = @pipelineId) and (@includeClosed or not (s.closed_won or s.closed_lost))
             group by p.id, p.name, s.id, s.key, s.name, s.position, s.probability, d.owner_id, d.currency
             order by p.name, s.position, d.owner_id nulls first, d.currency
            """, new { pipelineId, includeClosed }, ct))).AsList();
}

using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Rules;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Segments.Data;

/// <summary>Rule templates of the current tenant (RLS), with the seed's defaults put in on the tenant's first use.</summary>
public sealed class RulesStore(UnitOfWork unitOfWork)
{
    const string Columns = "r.id, r.name, r.description, r.category, r.field, r.operator, r.value::text as value_json, r.is_default, r.created_at, r.updated_at";

    sealed record Row(Guid Id, string Name, string? Description, string Category, string Field, string Operator, string? ValueJson, bool IsDefault,
        DateTime CreatedAt, DateTime UpdatedAt)
    {
        public SegmentRule ToRule() => new(Id, Name, Description, Category, Field, Operator,
            ValueJson is null ? null : JsonSerializer.Deserialize<JsonElement>(ValueJson), IsDefault, CreatedAt, UpdatedAt);
    }

    /// <summary>
    /// Inserts the default templates once per tenant (the first of them newest, so a list shows them in the seed's order), in one statement: the marker row decides, so a default the tenant deleted
    /// is not put back, and of two first uses at once the second waits for the first's marker and inserts nothing.
    /// </summary>
    public Task EnsureDefaultsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var d = DefaultRules.All;
        return unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            with seeded as (
              insert into segments.segment_rule_defaults (tenant_id, seeded_at) values (segments.current_tenant(), @now)
              on conflict do nothing returning tenant_id)
            insert into segments.segment_rules (tenant_id, id, name, description, category, field, operator, value, is_default, created_at, updated_at)
            select s.tenant_id, gen_random_uuid(), t.name, t.description, t.category, t.field, t.operator, t.value::jsonb, true,
                   @now - t.ord * interval '1 microsecond', @now - t.ord * interval '1 microsecond'
              from seeded s
             cross join unnest(@names, @descriptions, @categories, @fields, @operators, @values) with ordinality
                   as t(name, description, category, field, operator, value, ord)
            on conflict do nothing
            """, new
        {
            now,
            names = d.Select(t => t.Name).ToArray(), descriptions = d.Select(t => t.Description).ToArray(), categories = d.Select(t => t.Category).ToArray(),
            fields = d.Select(t => t.Field).ToArray(), operators = d.Select(t => t.Operator).ToArray(), values = d.Select(t => t.Value.GetRawText()).ToArray(),
        }, ct));
    }

    public async Task<Page<SegmentRule>> ListAsync(string? category, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from segments.segment_rules r where (@category::text is null or r.category = @category)");
        var args = new DynamicParameters(new { category });
        Keyset.Append(sql, args, page, "r.created_at", "r.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToRule()).ToList();
        return Keyset.Page(rows, page, r => (r.CreatedAt, r.Id));
    }

    public async Task<SegmentRule?> GetAsync(Guid id, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command($"select {Columns} from segments.segment_rules r where r.id = @id", new { id }, ct)))
        ?.ToRule();

    /// <summary>The rules among <paramref name="ids"/> that exist.</summary>
    public async Task<IReadOnlyList<SegmentRule>> GetManyAsync(IReadOnlyList<Guid> ids, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command($"select {Columns} from segments.segment_rules r where r.id = any(@ids)",
            new { ids = ids.ToArray() }, ct))).Select(r => r.ToRule()).ToList();

    /// <summary>False when another rule of the tenant has the name (unique ignoring case).</summary>
    public async Task<bool> TryCreateAsync(SegmentRule r, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into segments.segment_rules (tenant_id, id, name, description, category, field, operator, value, is_default, created_at, updated_at)
            values (segments.current_tenant(), @Id, @Name, @Description, @Category, @Field, @Operator, @Value::jsonb, @IsDefault, @CreatedAt, @UpdatedAt)
            on conflict (tenant_id, lower(name)) do nothing
            """, Args(r), ct)) == 1;

    /// <summary>False when another rule has the new name.</summary>
    public async Task<bool> TryUpdateAsync(SegmentRule r, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update segments.segment_rules set name = @Name, description = @Description, category = @Category, field = @Field, operator = @Operator,
                   value = @Value::jsonb, updated_at = @UpdatedAt
             where id = @Id and not exists (select 1 from segments.segment_rules o where o.id <> @Id and lower(o.name) = lower(@Name))
            """, Args(r), ct)) == 1;

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from segments.segment_rules where id = @id", new { id }, ct)) == 1;

    static object Args(SegmentRule r) => new
    {
        r.Id, r.Name, r.Description, r.Category, r.Field, r.Operator, Value = r.Value?.GetRawText(), r.IsDefault, r.CreatedAt, r.UpdatedAt,
    };
}

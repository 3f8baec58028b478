using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Email.Data;

/// <summary>Templates and their versions, in the tenant's unit of work (row-level security scopes every query).</summary>
public sealed class TemplatesStore(UnitOfWork unitOfWork)
{
    const string Columns = """
        t.id, t.name, t.description, t.subject, t.html, t.text, t.text_generated, t.design::text as design_json, t.version, t.archived,
        t.created_by, t.created_at, t.updated_at
        """;

    const string VersionColumns = """
        v.template_id, v.version, v.subject, v.html, v.text, v.text_generated, v.design::text as design_json, v.restored_from, v.created_by,
        v.created_at
        """;

    sealed record Row(Guid Id, string Name, string? Description, string Subject, string Html, string? Text, bool TextGenerated, string? DesignJson,
        int Version, bool Archived, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public Template ToTemplate() =>
            new(Id, Name, Description, Subject, Html, Text, TextGenerated, Json(DesignJson), Version, Archived, CreatedBy, CreatedAt, UpdatedAt);
    }

    sealed record VersionRow(Guid TemplateId, int Version, string Subject, string Html, string? Text, bool TextGenerated, string? DesignJson,
        int? RestoredFrom, string? CreatedBy, DateTime CreatedAt)
    {
        public TemplateVersion ToVersion() =>
            new(TemplateId, Version, Subject, Html, Text, TextGenerated, Json(DesignJson), RestoredFrom, CreatedBy, CreatedAt);
    }

    static JsonElement? Json(string? text) => text is null ? null : JsonSerializer.Deserialize<JsonElement>(text);

    /// <summary>Newest first; archived ones only when asked; <paramref name="search"/> matches name or subject, ignoring case.</summary>
    public async Task<Page<TemplateSummary>> ListAsync(string? search, bool archived, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder("""
            select t.id, t.name, t.description, t.subject, t.version, t.archived, t.created_by, t.created_at, t.updated_at
              from email.templates t
             where t.tenant_id = email.current_tenant() and t.archived = @archived
               and (@pattern::text is null or t.name ilike @pattern or t.subject ilike @pattern)
            """);
        var pattern = string.IsNullOrWhiteSpace(search) ? null : "%" + Escape(search.Trim()) + "%";
        var args = new DynamicParameters(new { archived, pattern });
        Keyset.Append(sql, args, page, "t.created_at", "t.id");
        var rows = (await unitOfWork.Connection.QueryAsync<TemplateSummary>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, t => (t.CreatedAt, t.Id));
    }

    /// <summary>The template; with <paramref name="forUpdate"/> its row stays locked to the end of the transaction, so saves take turns.</summary>
    public async Task<Template?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from email.templates t where t.tenant_id = email.current_tenant() and t.id = @id{(forUpdate ? " for update" : "")}",
            new { id }, ct)))?.ToTemplate();

    /// <summary>Inserts the template and its content as its version 1.</summary>
    public async Task CreateAsync(Template t, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into email.templates (tenant_id, id, name, description, subject, html, text, text_generated, design, version, archived, created_by,
                                         created_at, updated_at)
            values (email.current_tenant(), @Id, @Name, @Description, @Subject, @Html, @Text, @TextGenerated, @Design::json, 1, false, @CreatedBy,
                    @CreatedAt, @UpdatedAt)
            """, Args(t), ct));
        await AddVersionAsync(t with { Version = 1 }, restoredFrom: null, t.CreatedBy, ct);
    }

    /// <summary>
    /// Saves the template. When <paramref name="newContent"/>, its content becomes the next version (returned in the template);
    /// otherwise only name, description and archived change.
    /// </summary>
    public async Task<Template> UpdateAsync(Template t, bool newContent, int? restoredFrom, string? savedBy, CancellationToken ct)
    {
        var version = await unitOfWork.Connection.ExecuteScalarAsync<int>(unitOfWork.Command("""
            update email.templates
               set name = @Name, description = @Description, subject = @Subject, html = @Html, text = @Text, text_generated = @TextGenerated,
                   design = @Design::json, archived = @Archived, updated_at = @UpdatedAt,
                   version = version + case when @NewContent then 1 else 0 end
             where tenant_id = email.current_tenant() and id = @Id
            returning version
            """, With(Args(t), ("NewContent", newContent)), ct));
        var saved = t with { Version = version };
        if (newContent)
            await AddVersionAsync(saved, restoredFrom, savedBy, ct);
        return saved;
    }

    Task AddVersionAsync(Template t, int? restoredFrom, string? savedBy, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into email.template_versions (tenant_id, template_id, version, subject, html, text, text_generated, design, restored_from,
                                                 created_by, created_at)
            values (email.current_tenant(), @Id, @Version, @Subject, @Html, @Text, @TextGenerated, @Design::json, @RestoredFrom, @SavedBy, @UpdatedAt)
            """, With(Args(t), ("Version", t.Version), ("RestoredFrom", restoredFrom), ("SavedBy", savedBy)), ct));

    static DynamicParameters With(object args, params (string Name, object? Value)[] more)
    {
        var parameters = new DynamicParameters(args);
        foreach (var (name, value) in more)
            parameters.Add(name, value);
        return parameters;
    }

    static object Args(Template t) => new
    {
        t.Id, t.Name, t.Description, t.Subject, t.Html, t.Text, t.TextGenerated, Design = t.Design?.GetRawText(), t.Archived, t.CreatedBy,
        t.CreatedAt, t.UpdatedAt,
    };

    /// <summary>What still sends the template: campaigns naming it, and emails queued with it.</summary>
    public async Task<(int Campaigns, int QueuedEmails)> UsesAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.QuerySingleAsync<(int, int)>(unitOfWork.Command("""
            select (select count(*)::int from email.campaigns c where c.tenant_id = email.current_tenant() and c.template_id = @id),
                   (select count(*)::int from email.email_jobs j
                     where j.tenant_id = email.current_tenant() and j.template_id = @id and j.status = 'queued')
            """, new { id }, ct));

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from email.templates where tenant_id = email.current_tenant() and id = @id", new { id }, ct)) == 1;

    public async Task<IReadOnlyList<TemplateVersionSummary>> VersionsAsync(Guid id, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<TemplateVersionSummary>(unitOfWork.Command("""
            select v.version, v.subject, v.text_generated, v.restored_from, v.created_by, v.created_at
              from email.template_versions v
             where v.tenant_id = email.current_tenant() and v.template_id = @id
             order by v.version desc
            """, new { id }, ct))).ToList();

    public async Task<TemplateVersion?> VersionAsync(Guid id, int version, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<VersionRow>(unitOfWork.Command($"""
            select {VersionColumns} from email.template_versions v
             where v.tenant_id = email.current_tenant() and v.template_id = @id and v.version = @version
            """, new { id, version }, ct)))?.ToVersion();

    static string Escape(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}

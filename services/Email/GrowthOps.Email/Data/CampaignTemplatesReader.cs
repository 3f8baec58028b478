using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Email.Data;

/// <summary>
/// What campaigns read of templates (owned by the templates part, in <c>email.templates</c> and <c>email.template_versions</c>):
/// which version a send pins and that version's content, for the review's preview.
/// </summary>
public sealed class CampaignTemplatesReader(UnitOfWork unitOfWork)
{
    public sealed record Content(int Version, string Subject, string Html, string? Text);

    /// <summary>The version a campaign sends: <paramref name="version"/> if the template has it, else (null) its current one; null when neither exists or the template is archived.</summary>
    public Task<int?> VersionToPinAsync(Guid templateId, int? version, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<int?>(unitOfWork.Command("""
            select coalesce(v.version, t.version)
              from email.templates t
              left join email.template_versions v on v.tenant_id = t.tenant_id and v.template_id = t.id and v.version = @version
             where t.tenant_id = email.current_tenant() and t.id = @templateId and not t.archived
               and (@version::integer is null or v.version is not null)
            """, new { templateId, version }, ct));

    /// <summary>The content of the version (the saved version's row; the template's draft when no version row exists for its current one).</summary>
    public Task<Content?> ContentAsync(Guid templateId, int version, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Content>(unitOfWork.Command("""
            select coalesce(v.version, t.version) as version, coalesce(v.subject, t.subject) as subject, coalesce(v.html, t.html) as html,
                   case when v.version is not null then v.text else t.text end as text
              from email.templates t
              left join email.template_versions v on v.tenant_id = t.tenant_id and v.template_id = t.id and v.version = @version
             where t.tenant_id = email.current_tenant() and t.id = @templateId and (v.version is not null or t.version = @version)
            """, new { templateId, version }, ct));
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email.Apis;

/// <summary>The filters of <c>GET /api/email/templates</c>.</summary>
public sealed record TemplatesQuery(
    [property: Description("Part of the name or subject, ignoring case.")][property: MaxLength(TemplatesApi.MaxName)] string? Search = null,
    [property: Description("true: the archived templates instead of the others.")] bool? Archived = null);

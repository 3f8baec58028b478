using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email.Apis;

/// <summary>The wizard's design step: the template, at <c>template_version</c> or (absent) whatever version is current when the campaign is sent.</summary>
public sealed record DesignRequest(Guid? TemplateId = null, [property: Range(1, int.MaxValue)] int? TemplateVersion = null);

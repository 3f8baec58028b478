namespace GrowthOps.Email.Data;

/// <summary>A template's subject and bodies at one version (the current one unless a version was asked for).</summary>
public sealed record TemplateContent(Guid TemplateId, int Version, string Subject, string Html, string? Text, bool Archived);

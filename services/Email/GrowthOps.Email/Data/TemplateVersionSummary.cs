namespace GrowthOps.Email.Data;

/// <summary>A version in a template's history: without its bodies and design.</summary>
public sealed record TemplateVersionSummary(int Version, string Subject, bool TextGenerated, int? RestoredFrom, string? CreatedBy, DateTime CreatedAt);

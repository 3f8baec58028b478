namespace GrowthOps.Email.Data;

/// <summary>A template in a list: without its bodies and design.</summary>
public sealed record TemplateSummary(
    Guid Id,
    string Name,
    string? Description,
    string Subject,
    int Version,
    bool Archived,
    string? CreatedBy,
    DateTime CreatedAt,
    DateTime UpdatedAt);

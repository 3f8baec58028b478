namespace GrowthOps.Leads.Data;

/// <summary>A note on a contact or a deal.</summary>
public sealed record Note(Guid Id, Guid? ContactId, Guid? DealId, string Body, string? AuthorId, DateTime CreatedAt, DateTime UpdatedAt);

namespace GrowthOps.Leads.Data;

/// <summary>A user of the tenant who can own contacts and deals (<see cref="Id"/> is the <c>sub</c> of their tokens).</summary>
public sealed record Owner(string Id, string Name, string? Email, bool Active, DateTime CreatedAt, DateTime UpdatedAt);

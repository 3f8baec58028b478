using System.Text.Json;

namespace GrowthOps.Segments.Domain.Rules;

/// <summary>The seed's default rule templates ("Default Rule Templates" of D21), which every tenant starts with.</summary>
public static class DefaultRules
{
    public sealed record Template(string Name, string Description, string Category, string Field, string Operator, JsonElement Value);

    public static readonly IReadOnlyList<Template> All =
    [
        new("High Score", "Score above 80", "engagement", "ai_score", "greater_than", JsonSerializer.SerializeToElement(80)),
        new("Recent Activity", "Active in last 7 days", "behavioral", "last_interaction_at", "greater_than", JsonSerializer.SerializeToElement("7 days ago")),
        new("Email Verified", "Has verified email", "demographic", "email_verified", "equals", JsonSerializer.SerializeToElement(true)),
        new("Multiple Purchases", "More than 3 purchases", "value", "purchase_count", "greater_than", JsonSerializer.SerializeToElement(3)),
        new("New Lead", "Status is 'new'", "lifecycle", "status", "equals", JsonSerializer.SerializeToElement("new")),
    ];
}

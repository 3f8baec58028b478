using System.Text.Json;

namespace GrowthOps.Leads.Domain;

/// <summary>One test on a contact field; <see cref="Value"/> is absent for <c>exists</c>/<c>not_exists</c>.</summary>
public sealed record AutomationCondition(string Field, string Operator, JsonElement? Value);

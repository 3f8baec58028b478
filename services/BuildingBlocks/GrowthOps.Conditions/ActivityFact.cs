using System.Text.Json;

namespace GrowthOps.Conditions;

/// <summary>One activity of the retention window, with the metadata behavioural criteria may test.</summary>
public sealed record ActivityFact(Guid Id, string Type, DateTimeOffset OccurredAt, IReadOnlyDictionary<string, JsonElement> Metadata);

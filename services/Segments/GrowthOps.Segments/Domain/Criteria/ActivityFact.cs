using System.Text.Json;

namespace GrowthOps.Segments.Domain.Criteria;

/// <summary>One activity of the retention window, with the metadata behavioural criteria may test.</summary>
public sealed record ActivityFact(Guid Id, string Type, DateTimeOffset OccurredAt, IReadOnlyDictionary<string, JsonElement> Metadata);

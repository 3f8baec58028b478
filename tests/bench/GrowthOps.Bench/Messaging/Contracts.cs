// One stable namespace for the benchmark's messages: exchanges are named "<namespace>:<type>".
namespace GrowthOps.Bench.Contracts;

/// <summary>A small message for the raw broker phase.</summary>
public sealed record RawPing(Guid Id, long Seq);

/// <summary>Published with a business row (outbox) and consumed behind the inbox; carries the tenant like every GrowthOps message.</summary>
public sealed record ItemCreated(Guid TenantId, Guid ItemId, long Seq);

/// <summary>Published to warm the publish path up; no queue is bound to its exchange, so the broker drops it.</summary>
public sealed record BenchWarmup(long Seq);

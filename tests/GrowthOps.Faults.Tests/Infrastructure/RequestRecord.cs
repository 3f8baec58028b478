namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// One request of the load and what came back. <see cref="Marker"/> is unique and travels into the request's rows and
/// events; <see cref="Expected"/> is how many of each it makes (an import makes one per activity).
/// </summary>
public sealed record RequestRecord(
    string Kind,
    Guid ContactId,
    string Marker,
    int Expected,
    int Replica,
    DateTime Started,
    DateTime Finished,
    int Status,
    RequestOutcome Outcome,
    string? ContentType,
    bool RetryAfter,
    string? Error);

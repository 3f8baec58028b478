namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>One request of the load and what came back. <see cref="Marker"/> is unique and travels into the request's rows and events.</summary>
public sealed record RequestRecord(
    string Kind,
    Guid ContactId,
    string Marker,
    int Replica,
    DateTime Started,
    DateTime Finished,
    int Status,
    RequestOutcome Outcome,
    string? ContentType,
    string? Error);

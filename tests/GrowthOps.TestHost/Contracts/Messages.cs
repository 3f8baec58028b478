namespace GrowthOps.TestHost.Contracts;

public record OrderPlaced(Guid TenantId, Guid OrderId, decimal Amount, DateTimeOffset OccurredAt);

public record OrderSubmitted(Guid TenantId, Guid OrderId, int TimeoutSeconds, DateTimeOffset OccurredAt);

public record ItemAdded(Guid TenantId, Guid OrderId, DateTimeOffset OccurredAt);

public record OrderPaid(Guid TenantId, Guid OrderId, DateTimeOffset OccurredAt);

public record PaymentTimeoutExpired(Guid TenantId, Guid OrderId, DateTimeOffset OccurredAt);

public record Ping(Guid PingId, DateTimeOffset DueAt);

public record Flaky(Guid Id);

/// <summary>Its consumer ignores a database error on the first attempt, to show such an attempt is not acknowledged.</summary>
public record Swallow(Guid TenantId, Guid Id, DateTimeOffset OccurredAt);

/// <summary>Its consumer fails until the message has been redelivered once, recording the message id of every attempt.</summary>
public record Redelivered(Guid Id);

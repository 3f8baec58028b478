namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// Endpoint metadata: <see cref="RequestChecks.CheckJsonBody"/> leaves this endpoint's body unread. For endpoints that pass a
/// body on without reading it — the gateway's proxy routes, whose services check it themselves — where buffering it to check
/// would only cost.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class UncheckedBodyAttribute : Attribute;

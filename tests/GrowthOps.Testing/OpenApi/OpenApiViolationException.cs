namespace GrowthOps.Testing.OpenApi;

/// <summary>A call that the service's OpenAPI document does not describe as it happened.</summary>
public sealed class OpenApiViolationException(string message) : Exception(message);

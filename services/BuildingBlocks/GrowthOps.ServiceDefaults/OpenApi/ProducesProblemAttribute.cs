using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Declares on a handler a problem it can answer — typically a domain refusal thrown below it (404, 409, 422) — so that the
/// OpenAPI document shows it where it happens. An attribute rather than <c>.ProducesProblem()</c> keeps the declaration next
/// to the code that causes it, not at the route table.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ProducesProblemAttribute(int statusCode, string? description = null) : Attribute, IProducesResponseTypeMetadata
{
    public Type? Type => typeof(ProblemDetails);

    public int StatusCode { get; } = statusCode;

    public string? Description { get; } = description;

    public IEnumerable<string> ContentTypes { get; } = ["application/problem+json"];
}

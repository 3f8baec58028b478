using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace GrowthOps.ServiceDefaults.Query;

/// <summary>
/// Query parameters are snake_case on the wire, like JSON members: a handler's <c>Guid? contactId</c> (or an
/// <c>[AsParameters]</c> record's <c>CreatedFrom</c>) is <c>?contact_id=</c> / <c>?created_from=</c>, in the OpenAPI document and
/// in binding, with no attribute. A query parameter an operation does not declare is a 400 validation problem naming it
/// (a misspelt filter must not silently widen a list), and so is one given twice that binds to a single value.
/// <c>UseServiceDefaults</c> runs the check (<see cref="QueryParameterCheck"/>) before every documented endpoint.
/// </summary>
public static class QueryParameters
{
    /// <summary>The name a client uses for a parameter the handler calls <paramref name="name"/>.</summary>
    public static string WireName(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>For endpoints whose URL a third party composes (a webhook target may carry the tenant's own query string).</summary>
    public static TBuilder AllowAnyQueryParameters<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AnyQueryParametersMetadata());

    /// <summary>Extra names accepted for documented parameters (compatibility routes: the seeds' <c>tenantId</c> for <c>tenant_id</c>).</summary>
    public static TBuilder WithQueryAliases<TBuilder>(this TBuilder builder, params (string Alias, string WireName)[] aliases)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryAliasesMetadata(aliases.ToDictionary(a => a.Alias, a => a.WireName, StringComparer.OrdinalIgnoreCase)));
}

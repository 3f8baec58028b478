using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace GrowthOps.ServiceDefaults.Query;

/// <summary>
/// Holds each request's query string to what its endpoint declares, as the API explorer — and so the OpenAPI document — sees
/// the endpoint's parameters: an unknown name, or a repeated one that binds to a single value, is a 400 validation problem;
/// snake_case names are handed on to binding under the handler's own names (binding ignores case, not underscores).
/// Endpoints outside the document (health checks, the document itself) are not checked.
/// </summary>
sealed class QueryParameterCheck(RequestDelegate next, IApiDescriptionGroupCollectionProvider explorer)
{
    /// <summary>A longer name is cut short in the problem: the error names the parameter, it does not echo a payload back.</summary>
    const int ShownLength = 100;

    readonly ConcurrentDictionary<Endpoint, Declared?> _declared = new();

    sealed record Parameter(string BoundName, bool Repeatable);

    sealed record Declared(Dictionary<string, Parameter> ByWireName, string Unknown);

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.QueryString.HasValue || context.GetEndpoint() is not { } endpoint ||
            endpoint.Metadata.GetMetadata<AnyQueryParametersMetadata>() is not null || _declared.GetOrAdd(endpoint, Declare) is not { } declared)
            return next(context);

        Dictionary<string, string[]>? errors = null;
        var bound = new Dictionary<string, (string Key, StringValues Values)>(StringComparer.OrdinalIgnoreCase);
        var rename = false;
        foreach (var (key, values) in context.Request.Query)
        {
            if (!declared.ByWireName.TryGetValue(key, out var parameter))
                (errors ??= [])[Shown(key)] = [declared.Unknown];
            else if (bound.TryGetValue(parameter.BoundName, out var other))
                (errors ??= [])[Shown(key)] = [$"is given twice (also as {Shown(other.Key)})"];
            else if (values.Count > 1 && !parameter.Repeatable)
                (errors ??= [])[Shown(key)] = ["is given more than once"];
            else
            {
                bound[parameter.BoundName] = (key, values);
                rename |= !string.Equals(key, parameter.BoundName, StringComparison.OrdinalIgnoreCase);
            }
        }

        if (errors is not null)
            return TypedResults.ValidationProblem(errors).ExecuteAsync(context);
        if (rename)
            context.Request.Query = new QueryCollection(bound.ToDictionary(p => p.Key, p => p.Value.Values, StringComparer.OrdinalIgnoreCase));
        return next(context);
    }

    /// <summary>The endpoint's query parameters by wire name (aliases included), or null when the document leaves it out.</summary>
    Declared? Declare(Endpoint endpoint)
    {
        // The explorer describes each route endpoint by its display name (method, pattern, handler) and pattern; the objects
        // themselves may differ (a route group builds its endpoints afresh for each reader).
        if (endpoint is not RouteEndpoint route)
            return null;
        var pattern = route.RoutePattern.RawText?.TrimStart('/');
        var descriptions = explorer.ApiDescriptionGroups.Items.SelectMany(g => g.Items)
            .Where(d => d.ActionDescriptor.DisplayName == endpoint.DisplayName && d.RelativePath == pattern)
            .ToList();
        if (descriptions.Count == 0)
            return null;

        var byWireName = new Dictionary<string, Parameter>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in descriptions.SelectMany(d => d.ParameterDescriptions).Where(p => p.Source == BindingSource.Query))
            byWireName.TryAdd(QueryParameters.WireName(parameter.Name),
                new Parameter(parameter.Name, parameter.Type is { IsArray: true } || parameter.Type == typeof(StringValues)));
        var documented = byWireName.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var (alias, wireName) in endpoint.Metadata.GetMetadata<QueryAliasesMetadata>()?.Aliases ?? new Dictionary<string, string>())
            byWireName.TryAdd(alias, byWireName.TryGetValue(wireName, out var target)
                ? target
                : throw new InvalidOperationException($"{endpoint.DisplayName}: the query alias '{alias}' stands for '{wireName}', which it does not take."));

        return new Declared(byWireName, documented.Count == 0
            ? "is not a query parameter of this operation, which takes none"
            : $"is not a query parameter of this operation, which takes {string.Join(", ", documented)}");
    }

    static string Shown(string key) => key.Length <= ShownLength ? key : key[..ShownLength] + "…";
}

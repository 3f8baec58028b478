using System.Reflection;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Query;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Names as a client sees them. Query parameters are documented by their wire name, the snake_case of the handler's name
/// (<c>CreatedFrom</c> → <c>created_from</c>: <see cref="QueryParameters"/>, which also makes binding take that name); path
/// parameters keep their route template's name, in snake_case when it differs only in case. An operation without a summary
/// gets its handler's name in words (<c>ExecuteTransition</c> → "Execute transition").
/// </summary>
sealed class NamingTransformer : IOpenApiOperationTransformer
{
    static readonly string[] Verbs = ["Get", "Put", "Post", "Patch", "Delete"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            if (parameter.Name is { } name && QueryParameters.WireName(name) is var snake &&
                (parameter.In == ParameterLocation.Query || string.Equals(snake, name, StringComparison.OrdinalIgnoreCase)))
                parameter.Name = snake;

        if (string.IsNullOrEmpty(operation.Summary) &&
            context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault() is { } handler &&
            !handler.Name.Contains('<', StringComparison.Ordinal) && !Verbs.Contains(handler.Name))
        {
            var words = JsonNamingPolicy.SnakeCaseLower.ConvertName(handler.Name).Replace('_', ' ');
            operation.Summary = char.ToUpperInvariant(words[0]) + words[1..];
        }

        return Task.CompletedTask;
    }
}

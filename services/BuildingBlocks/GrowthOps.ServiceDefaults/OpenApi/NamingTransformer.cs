using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Names as a client sees them. Query parameters bound with <c>[AsParameters]</c> are named after their C# property
/// (<c>Cursor</c>); binding ignores case, so the document uses the snake_case name when it differs only in case (a name that
/// differs otherwise needs <c>[FromQuery(Name = "created_from")]</c>, and a test checks every parameter is snake_case). An
/// operation without a summary gets its handler's name in words (<c>ExecuteTransition</c> → "Execute transition").
/// </summary>
sealed class NamingTransformer : IOpenApiOperationTransformer
{
    static readonly string[] Verbs = ["Get", "Put", "Post", "Patch", "Delete"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            if (parameter.Name is { } name && JsonNamingPolicy.SnakeCaseLower.ConvertName(name) is var snake &&
                string.Equals(snake, name, StringComparison.OrdinalIgnoreCase))
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

using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// A handler that reads its body as a <see cref="JsonElement"/> (to tell an absent member from a null one, or to give better
/// errors) declares what it accepts with <c>.Accepts&lt;T&gt;("application/json")</c>; the document then shows T instead of
/// "any JSON". ApiExplorer alone would keep the JsonElement: it uses Accepts only when no parameter binds the body.
/// </summary>
sealed class AcceptedBodyTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (operation.RequestBody is not OpenApiRequestBody body ||
            !description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body && p.Type == typeof(JsonElement)) ||
            description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().LastOrDefault() is not { RequestType: { } accepted } accepts ||
            accepted == typeof(JsonElement))
            return;

        // A named component, as a type bound from the body gets, so that clients and the reference show it by name.
        var name = accepted.IsArray ? null : accepted.Name;
        IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(accepted, null, cancellationToken);
        if (name is not null)
        {
            context.Document!.Components ??= new OpenApiComponents();
            context.Document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            context.Document.Components.Schemas.TryAdd(name, schema);
            schema = new OpenApiSchemaReference(name, context.Document);
        }

        body.Content = accepts.ContentTypes.ToDictionary(contentType => contentType, _ => new OpenApiMediaType { Schema = schema });
    }
}

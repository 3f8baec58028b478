using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Shows the limits Microsoft.AspNetCore.OpenApi does not read from a member's attributes: those of free-form JSON
/// (<see cref="JsonLimitsAttribute"/>: <c>maxProperties</c>, <c>maxItems</c>, <c>maxLength</c>, <c>propertyNames</c>, and the
/// depth and size in the description) and the length of each item of an array of strings (<see cref="ItemsMaxLengthAttribute"/>).
/// It maps <c>[MaxLength]</c>, <c>[Range]</c> and the other DataAnnotations itself; <see cref="RequestLimits"/> checks them all.
/// </summary>
sealed class LimitsSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var attribute in context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(inherit: true) ?? [])
        {
            if (attribute is JsonLimitsAttribute json)
            {
                if (json.MaxProperties > 0)
                    schema.MaxProperties = json.MaxProperties;
                if (json.MaxItems > 0)
                    schema.MaxItems = json.MaxItems;
                if (json.MaxStringLength > 0)
                    schema.MaxLength = json.MaxStringLength;
                if (json.MaxKeyLength > 0)
                    schema.PropertyNames = new OpenApiSchema { MaxLength = json.MaxKeyLength };
                schema.Description = string.IsNullOrEmpty(schema.Description) ? json.Describe() : $"{schema.Description} {json.Describe()}";
            }
            else if (attribute is ItemsMaxLengthAttribute items && schema.Items is OpenApiSchema item)
            {
                item.MaxLength = items.Length;
            }
        }

        return Task.CompletedTask;
    }
}

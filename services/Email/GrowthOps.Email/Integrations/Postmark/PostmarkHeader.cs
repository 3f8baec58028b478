using System.Text.Json.Serialization;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>A custom MIME header of a Postmark message.</summary>
public sealed record PostmarkHeader([property: JsonPropertyName("Name")] string Name, [property: JsonPropertyName("Value")] string Value);

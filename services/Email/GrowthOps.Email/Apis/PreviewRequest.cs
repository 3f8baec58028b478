using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>
/// What to render a template with: a contact's merge fields (<c>contact_id</c>, from Email's recipients) and/or sample
/// <c>merge_data</c>, which wins over them; <c>version</c> absent renders the current one.
/// </summary>
public sealed record PreviewRequest(
    [property: JsonLimits(MaxProperties = TemplatesApi.MaxMergeFields, MaxKeyLength = TemplatesApi.MaxName, MaxDepth = TemplatesApi.MaxMergeDepth,
        MaxBytes = TemplatesApi.MaxMergeBytes)]
    Dictionary<string, JsonElement>? MergeData = null,
    Guid? ContactId = null,
    int? Version = null);

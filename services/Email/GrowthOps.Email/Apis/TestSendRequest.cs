using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>
/// A test send of a template to one address, rendered (as a preview is) with a contact's merge fields and/or
/// <c>merge_data</c>; <c>version</c> absent sends the current one.
/// </summary>
public sealed record TestSendRequest(
    [property: MaxLength(EmailAddress.MaxLength)] string? To = null,
    [property: JsonLimits(MaxProperties = TemplatesApi.MaxMergeFields, MaxKeyLength = TemplatesApi.MaxName, MaxDepth = TemplatesApi.MaxMergeDepth,
        MaxBytes = TemplatesApi.MaxMergeBytes)]
    Dictionary<string, JsonElement>? MergeData = null,
    Guid? ContactId = null,
    int? Version = null);

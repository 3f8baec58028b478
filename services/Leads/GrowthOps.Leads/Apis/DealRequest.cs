using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.Leads.Domain.Deals;
using GrowthOps.ServiceDefaults.Validation;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>The body of <c>POST /deals</c> and <c>PATCH /deals/{id}</c> as documented (read member by member: on PATCH a null clears, absent keeps).</summary>
[Description("Deal fields. On create only name is required; the pipeline defaults to the tenant's default one, the stage to its first, the currency to USD. On PATCH, null clears a field and absent keeps it; a new stage moves the deal (as POST /deals/{id}/stage).")]
public sealed record DealRequest(
    [property: MaxLength(DealFields.MaxName)] string? Name = null,
    [property: Description("In the currency's major unit (12.50 EUR); no more decimals than the currency has.")] decimal? Amount = null,
    [property: MaxLength(3), Description("ISO 4217, e.g. EUR.")] string? Currency = null,
    [property: Description("Create only.")] Guid? PipelineId = null,
    [property: MaxLength(MaxStateReference), Description("The stage's key (closedwon) or id.")] string? Stage = null,
    [property: MaxLength(MaxText)] string? OwnerId = null,
    [property: Description("yyyy-MM-dd")] DateOnly? ExpectedCloseDate = null,
    [property: MaxLength(MaxText)] string? Source = null,
    [property: MaxLength(MaxText)] string? Channel = null,
    [property: JsonLimits(MaxProperties = MaxAttributes, MaxKeyLength = MaxMemberName, MaxDepth = MaxJsonDepth, MaxBytes = MaxAttributesBytes),
               Description("Free-form, at most 100 members, 16 KiB of JSON.")]
    Dictionary<string, JsonElement>? Attributes = null,
    [property: JsonLimits(MaxProperties = DealFields.MaxExternalIds, MaxKeyLength = MaxMemberName, MaxDepth = 1, MaxBytes = MaxAttributesBytes),
               Description("Ids of the deal elsewhere, e.g. {\"hubspot\": \"12345\"}.")]
    Dictionary<string, string>? ExternalIds = null,
    [property: MaxLength(DealFields.MaxContacts)] Guid[]? ContactIds = null);

/// <summary>A move to another stage of the deal's pipeline.</summary>
public sealed record DealStageRequest(
    [property: MaxLength(MaxStateReference), Description("The stage's key (closedwon) or id.")] string Stage,
    [property: MaxLength(MaxTriggeredBy)] string? TriggeredBy = null);

/// <summary>A new pipeline and its stages, in order.</summary>
public sealed record PipelineRequest(
    [property: MaxLength(DealFields.MaxName)] string Name,
    [property: MaxLength(PipelineRequest.MaxStages)] IReadOnlyList<PipelineStageRequest> Stages)
{
    public const int MaxStages = 50;
}

public sealed record PipelineStageRequest(
    [property: MaxLength(MaxKeyword), Description("Lower-case letters, digits, _ and -; unique in the pipeline.")] string Key,
    [property: MaxLength(DealFields.MaxName)] string Name,
    [property: Range(0.0, 1.0), Description("Win probability, 0 to 1 (weighted pipeline = amount × probability).")] double Probability,
    bool ClosedWon = false,
    bool ClosedLost = false);

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>The filters of <c>GET /deals</c> (all optional, combined with AND).</summary>
public sealed record DealsQuery(
    [property: Description("Deals of this pipeline.")] Guid? PipelineId = null,
    [property: MaxLength(MaxStateReference), Description("A stage, by key or id.")] string? Stage = null,
    [property: MaxLength(MaxText)] string? OwnerId = null,
    [property: Description("Deals this contact is on.")] Guid? ContactId = null,
    [property: RegularExpression("^(open|won|lost)$"), Description("open, won or lost.")] string? Status = null,
    [property: MaxLength(MaxText), Description("Part of the name.")] string? Q = null);

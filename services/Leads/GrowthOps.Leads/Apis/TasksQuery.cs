using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>The filters of <c>GET /tasks</c>.</summary>
public sealed record TasksQuery(
    [property: RegularExpression("^(open|completed)$")] string? Status = null,
    Guid? ContactId = null,
    Guid? DealId = null,
    [property: MaxLength(MaxText)] string? AssigneeId = null,
    [property: Description("Only open tasks whose due time has passed.")] bool? Overdue = null);

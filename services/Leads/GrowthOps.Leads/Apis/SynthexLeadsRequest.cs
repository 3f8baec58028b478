using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The body of <c>POST /api/synthex/leads/state</c>, as documented: an action and the members of the REST request it stands
/// for, in snake_case or the seeds' camelCase (<c>tenantId</c>, <c>leadId</c>, <c>toStateId</c>…).
/// </summary>
[Description("An action and the members of the REST request it stands for (snake_case or camelCase).")]
public sealed record SynthexLeadsRequest(
    [property: MaxLength(LeadsDefaults.MaxKeyword),
               Description("create_state, update_state, delete_state, create_transition, execute_transition, predict or create_automation.")]
    string Action,
    [property: MaxLength(36), Description("When given, must be the token's tenant (403 otherwise).")] string? TenantId = null,
    [property: Description("execute_transition, predict: the contact.")] Guid? LeadId = null,
    [property: Description("update_state, delete_state.")] Guid? StateId = null);

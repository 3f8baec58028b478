using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using GrowthOps.Leads.Domain;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The body of <c>POST /automations</c> and <c>PATCH /automations/{id}</c>, as documented (read by <see cref="AutomationDraft.Parse"/>);
/// its attributes are the limits it is held to.
/// </summary>
[Description("On PATCH, absent members keep their values; actions and conditions, when given, replace the lists.")]
public sealed record AutomationRequest(
    [property: MaxLength(MaxAutomationName), Description("1 to 200 characters; required on create.")] string? Name = null,
    [property: MaxLength(MaxKeyword), Description("on_enter, on_exit or on_transition; required on create.")] string? Trigger = null,
    [property: MaxLength(MaxStateReference), Description("The state (name or id) for on_enter and on_exit.")] string? State = null,
    [property: MaxLength(MaxStateReference), Description("For on_transition: the state left (name, id or any).")] string? FromState = null,
    [property: MaxLength(MaxStateReference), Description("For on_transition: the state entered (name, id or any).")] string? ToState = null,
    [property: MaxLength(AutomationConditions.MaxConditions), Description("All must hold for the actions to run.")]
    IReadOnlyList<AutomationCondition>? Conditions = null,
    [property: MaxLength(AutomationActions.MaxActions), Description("1 to 20 actions; required on create.")] IReadOnlyList<AutomationActionRequest>? Actions = null,
    bool? IsActive = null);

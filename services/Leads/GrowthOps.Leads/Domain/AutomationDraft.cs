using System.Text.Json;
using GrowthOps.Leads.Apis;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults.Outbound;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// A create or PATCH body, checked: everything but what needs the tenant's data (state names, encrypting secrets). For PATCH,
/// members absent from the body keep their stored values; changing the trigger drops the stored state references.
/// </summary>
public sealed record AutomationDraft(
    string Name,
    string Trigger,
    AutomationStateRef State,
    AutomationStateRef FromState,
    AutomationStateRef ToState,
    IReadOnlyList<AutomationCondition> Conditions,
    IReadOnlyList<AutomationActions.Parsed> Actions,
    bool ActionsGiven,
    bool IsActive)
{
    public const string OnEnter = "on_enter";
    public const string OnExit = "on_exit";
    public const string OnTransition = "on_transition";

    public static readonly string[] Triggers = [OnEnter, OnExit, OnTransition];

    static readonly string NameRequired = $"is required: 1 to {LeadsDefaults.MaxAutomationName} characters";

    /// <summary>
    /// The draft, or null with <paramref name="errors"/> filled in (keyed by snake_case member); webhook URLs are checked
    /// against <paramref name="outbound"/>.
    /// </summary>
    public static AutomationDraft? Parse(JsonElement body, Automation? current, Dictionary<string, string[]> errors, OutboundPolicy outbound)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return null;
        }

        if (!RequestLimits.Check<AutomationRequest>(body, errors))
            return null;

        bool Has(string name, out JsonElement value) => body.TryGetProperty(name, out value);

        var name = current?.Name;
        if (Has("name", out var n))
        {
            name = n.ValueKind == JsonValueKind.String ? n.GetString()!.Trim() : null;
            if (name is not { Length: > 0 })
                errors["name"] = [NameRequired];
        }
        else if (current is null)
        {
            errors["name"] = [NameRequired];
        }

        var trigger = current?.Trigger;
        var triggerGiven = Has("trigger", out var t);
        if (triggerGiven || current is null)
        {
            trigger = t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim().ToLowerInvariant() : null;
            if (trigger is null || !Triggers.Contains(trigger))
                errors["trigger"] = [$"must be one of {string.Join(", ", Triggers)}"];
        }

        var keep = current is not null && (!triggerGiven || trigger == current.Trigger);
        AutomationStateRef Ref(string member, Guid? stored)
        {
            if (!Has(member, out var value))
                return keep ? new AutomationStateRef(null, stored) : AutomationStateRef.Any;
            if (value.ValueKind == JsonValueKind.Null)
                return AutomationStateRef.Any;
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
            if (string.IsNullOrEmpty(text))
            {
                errors[member] = ["must be a state name or id"];
                return AutomationStateRef.Any;
            }

            return string.Equals(text, "any", StringComparison.OrdinalIgnoreCase) && member != "state"
                ? AutomationStateRef.Any
                : new AutomationStateRef(text, null);
        }

        var state = Ref("state", current?.StateId);
        var fromState = Ref("from_state", current?.FromStateId);
        var toState = Ref("to_state", current?.ToStateId);
        if (trigger is OnEnter or OnExit)
        {
            if (state.IsAny)
                errors["state"] = [$"is required for {trigger}"];
            if (!fromState.IsAny)
                errors["from_state"] = ["applies to on_transition only; use state"];
            if (!toState.IsAny)
                errors["to_state"] = ["applies to on_transition only; use state"];
        }
        else if (trigger == OnTransition && !state.IsAny)
        {
            errors["state"] = ["applies to on_enter and on_exit only; use from_state and to_state"];
        }

        var conditions = current?.Conditions ?? [];
        if (Has("conditions", out var c))
            conditions = AutomationConditions.Parse(c, errors);

        var actionsGiven = Has("actions", out var a) || current is null;
        var actions = actionsGiven
            ? AutomationActions.Parse(a, current?.Actions ?? [], errors, outbound)
            : current!.Actions.Select(action => new AutomationActions.Parsed(action, null)).ToList();

        var isActive = current?.IsActive ?? true;
        if (Has("is_active", out var active))
        {
            if (active.ValueKind is JsonValueKind.True or JsonValueKind.False)
                isActive = active.GetBoolean();
            else
                errors["is_active"] = ["must be true or false"];
        }

        return errors.Count > 0 ? null : new AutomationDraft(name!, trigger!, state, fromState, toState, conditions, actions, actionsGiven, isActive);
    }
}

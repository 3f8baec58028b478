using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>One action of an <see cref="AutomationRequest"/>; which members apply depends on <see cref="Type"/>.</summary>
public sealed record AutomationActionRequest(
    [property: MaxLength(MaxKeyword), Description("add_tag, remove_tag, change_state, start_workflow, enroll_sequence or webhook.")] string Type,
    [property: MaxLength(MaxTagLength), Description("add_tag, remove_tag.")] string? Tag = null,
    [property: MaxLength(MaxStateReference), Description("change_state: a state name or id.")] string? ToState = null,
    [property: MaxLength(MaxNotes), Description("change_state: notes for the history.")] string? Notes = null,
    [property: Description("start_workflow.")] Guid? WorkflowId = null,
    [property: JsonLimits(MaxProperties = MaxVariables, MaxKeyLength = MaxMemberName, MaxDepth = MaxJsonDepth, MaxBytes = MaxVariablesBytes),
               Description("start_workflow: variables passed to the workflow.")]
    Dictionary<string, JsonElement>? Variables = null,
    [property: Description("enroll_sequence.")] Guid? SequenceId = null,
    [property: MaxLength(MaxUrl),
               Description("webhook: an absolute https URL (http only where Outbound:AllowHttp is set) without user name or password; private, loopback, link-local and metadata addresses are refused.")]
    string? Url = null,
    [property: MaxLength(MaxKeyword), Description("webhook: POST (the default), PUT or PATCH.")] string? Method = null,
    [property: MaxLength(MaxWebhookSecret),
               Description("webhook: signs each delivery; write-only, kept encrypted. Omitted on PATCH, the webhook with the same URL keeps its secret.")]
    string? Secret = null);

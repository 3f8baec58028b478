using System.Text.Json;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Outbound;

namespace GrowthOps.Leads.Domain;

/// <summary>The action types and how a request's <c>actions</c> array is read and checked.</summary>
public static class AutomationActions
{
    public const string AddTag = "add_tag";
    public const string RemoveTag = "remove_tag";
    public const string ChangeState = "change_state";
    public const string StartWorkflow = "start_workflow";
    public const string EnrollSequence = "enroll_sequence";
    public const string Webhook = "webhook";
    public const int MaxActions = 20;

    public static readonly string[] Types = [AddTag, RemoveTag, ChangeState, StartWorkflow, EnrollSequence, Webhook];
    static readonly string[] WebhookMethods = ["POST", "PUT", "PATCH"];

    /// <summary>An action as requested, with the webhook secret in clear until it is encrypted for storage.</summary>
    public sealed record Parsed(AutomationAction Action, string? Secret);

    /// <summary>
    /// Reads <c>actions</c>; errors are keyed like <c>actions[0].tag</c>. A webhook without a secret keeps the secret of the
    /// <paramref name="current"/> webhook with the same URL (a client that read the automation back never saw the secret).
    /// A webhook URL must pass <paramref name="outbound"/>: a literal forbidden address is refused here, a host name that
    /// resolves to one when the webhook is called.
    /// </summary>
    public static IReadOnlyList<Parsed> Parse(JsonElement actions, IReadOnlyList<AutomationAction> current, Dictionary<string, string[]> errors,
        OutboundPolicy outbound)
    {
        if (actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() is 0 or > MaxActions)
        {
            errors["actions"] = [$"must be an array of 1 to {MaxActions} actions"];
            return [];
        }

        var parsed = new List<Parsed>();
        var i = 0;
        foreach (var item in actions.EnumerateArray())
        {
            var key = $"actions[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors[key] = ["must be an object {type, ...}"];
                continue;
            }

            string? Text(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : null;
            bool Present(string name) => item.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
            void Error(string name, string message) => errors[$"{key}.{name}"] = [message];

            var type = Text("type")?.ToLowerInvariant();
            // The documented ids are checked whatever the type: a mistyped one is refused, never silently ignored.
            foreach (var id in new[] { "workflow_id", "sequence_id" })
                if (Present(id) && !Guid.TryParse(Text(id), out _))
                    Error(id, "must be a UUID string");
            switch (type)
            {
                case AddTag or RemoveTag:
                    var tag = ContactFields.NormalizeTag(Text("tag"));
                    if (!ContactFields.IsValidTag(tag))
                        Error("tag", "is required: lower-case letters, digits, _ - : . ; up to 64");
                    else
                        parsed.Add(new Parsed(new AutomationAction(type, Tag: tag), null));
                    break;

                case ChangeState:
                    var toState = Text("to_state");
                    var notes = Text("notes");
                    if (string.IsNullOrEmpty(toState))
                        Error("to_state", "is required (a state name or id)");
                    else if (Present("notes") && notes is null)
                        Error("notes", "must be a string");
                    else
                        parsed.Add(new Parsed(new AutomationAction(type, ToState: toState, Notes: string.IsNullOrEmpty(notes) ? null : notes), null));
                    break;

                case StartWorkflow:
                    var workflowId = Guid.TryParse(Text("workflow_id"), out var w) && w != Guid.Empty ? w : (Guid?)null;
                    Dictionary<string, JsonElement>? variables = null;
                    if (workflowId is null)
                        Error("workflow_id", "is required (a workflow id)");
                    else if (item.TryGetProperty("variables", out var vars) && vars.ValueKind is not (JsonValueKind.Null or JsonValueKind.Object))
                        Error("variables", "must be an object");
                    else if (JsonNumbers.FirstOutOfRange(vars, $"{key}.variables") is { } where)
                        errors[where] = [JsonNumbers.OutOfRange];
                    else
                    {
                        if (item.TryGetProperty("variables", out vars) && vars.ValueKind == JsonValueKind.Object)
                            variables = vars.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
                        parsed.Add(new Parsed(new AutomationAction(type, WorkflowId: workflowId, Variables: variables), null));
                    }

                    break;

                case EnrollSequence:
                    if (Guid.TryParse(Text("sequence_id"), out var s) && s != Guid.Empty)
                        parsed.Add(new Parsed(new AutomationAction(type, SequenceId: s), null));
                    else
                        Error("sequence_id", "is required (a sequence id)");
                    break;

                case Webhook:
                    var url = Text("url");
                    var method = (Text("method") ?? "POST").ToUpperInvariant();
                    var secret = item.TryGetProperty("secret", out var sv) && sv.ValueKind == JsonValueKind.String ? sv.GetString() : null;
                    var kept = secret is null
                        ? current.FirstOrDefault(a =>
                            a.Type == Webhook && a.ProtectedSecret is not null && string.Equals(a.Url, url, StringComparison.Ordinal))
                        : null;
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                        Error("url", "is required: an absolute http or https URL");
                    else if (outbound.WhyRefused(uri) is { } refused)
                        Error("url", refused);
                    else if (!WebhookMethods.Contains(method))
                        Error("method", $"must be one of {string.Join(", ", WebhookMethods)}");
                    else if (secret is { Length: 0 } || (secret is null && kept is null))
                        Error("secret", $"is required: 1 to {LeadsDefaults.MaxWebhookSecret} characters, used to sign each delivery");
                    else
                        parsed.Add(new Parsed(new AutomationAction(type, Url: url, Method: method, ProtectedSecret: kept?.ProtectedSecret), secret));
                    break;

                default:
                    Error("type", $"must be one of {string.Join(", ", Types)}");
                    break;
            }
        }

        return parsed;
    }
}

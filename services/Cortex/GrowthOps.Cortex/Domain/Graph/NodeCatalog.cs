using System.Collections.Frozen;
using Json.Schema;

namespace GrowthOps.Cortex.Domain.Graph;

/// <summary>
/// What a workflow graph may hold: the node types, the trigger types (the seed's, as events on the bus) and the actions,
/// each action with the JSON Schema its <c>config</c> must meet (shown to builders at <c>GET /api/cortex/catalog</c>).
/// </summary>
public static class NodeCatalog
{
    public const string Trigger = "trigger";
    public const string Action = "action";
    public const string Condition = "condition";
    public const string Delay = "delay";
    public const string WaitUntil = "wait_until";
    public const string Parallel = "parallel";
    public const string Join = "join";
    public const string AbSplit = "ab_split";
    public const string Stop = "stop";

    public static readonly FrozenSet<string> NodeTypes =
        new[] { Trigger, Action, Condition, Delay, WaitUntil, Parallel, Join, AbSplit, Stop }.ToFrozenSet();

    /// <summary>The builder's spelling of a node type (<c>branch</c> is a condition) to ours.</summary>
    public static string? NodeType(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        "branch" or "if" or "if_else" => Condition,
        "waituntil" or "wait" => WaitUntil,
        "fork" => Parallel,
        "split" or "abtest" or "ab_test" => AbSplit,
        "stop_workflow" or "end" => Stop,
        { } t when NodeTypes.Contains(t) => t,
        _ => null,
    };

    public static readonly FrozenSet<string> TriggerTypes = new[]
    {
        "contact.created", "contact.updated", "contact.tag_added", "contact.tag_removed", "contact.score_changed", "contact.segment_entered",
        "contact.segment_exited", "lead.state_changed",
        "form.submitted", "form.field_changed", "form.abandoned",
        "email.sent", "email.opened", "email.clicked", "email.bounced", "email.unsubscribed", "email.replied",
        "funnel.step_entered", "funnel.step_completed", "funnel.abandoned", "funnel.conversion",
        "popup.shown", "popup.submitted", "popup.closed",
        "page.visited", "page.scroll_depth", "button.clicked", "video.watched", "rage_click.detected", "exit_intent.detected",
        "deal.created", "deal.updated", "deal.stage_changed", "deal.won", "deal.lost", "task.created", "task.completed",
        "subscription.created", "subscription.renewed", "subscription.cancelled", "subscription.payment_failed", "subscription.trial_started",
        "subscription.trial_ending",
        "order.created", "order.completed", "cart.abandoned", "checkout.started", "checkout.completed",
        "trading_room.joined", "trading_room.message_sent", "trading_room.alert_triggered",
        "webhook.received", "schedule.cron", "schedule.interval", "custom.event", "workflow.started",
    }.ToFrozenSet();

    const string Text = """{"type":"string","minLength":1,"maxLength":500}""";
    const string LongText = """{"type":"string","minLength":1,"maxLength":20000}""";
    const string Id = """{"type":"string","format":"uuid"}""";
    const string Template = """{"type":"string","minLength":1,"maxLength":2000}""";
    const string SecretName = """{"type":"string","pattern":"^[A-Za-z][A-Za-z0-9_]{0,99}$"}""";

    static string Object(string properties, params string[] required) =>
        $$"""{"type":"object","properties":{{{properties}}},"required":[{{string.Join(",", required.Select(r => $"\"{r}\""))}}]}""";

    /// <summary>Each action type and the schema of its config. Templated strings (<c>{{contact.first_name}}</c>) are strings.</summary>
    static readonly Dictionary<string, string> ActionSchemas = new()
    {
        ["add_tag"] = Object($"\"tag\":{Text}", "tag"),
        ["remove_tag"] = Object($"\"tag\":{Text}", "tag"),
        ["update_field"] = Object("""
            "fields":{"type":"object","minProperties":1,"maxProperties":50},"field":{"type":"string","minLength":1,"maxLength":111},"value":{}
            """),
        ["add_to_segment"] = Object($"\"segment_id\":{Id}", "segment_id"),
        ["remove_from_segment"] = Object($"\"segment_id\":{Id}", "segment_id"),
        ["calculate_score"] = Object("""
            "add_points":{"type":"integer","minimum":-1000000,"maximum":1000000}
            """),
        ["merge_contacts"] = Object($"\"duplicate_id\":{Template}", "duplicate_id"),
        ["send_email"] = Object($"\"template_id\":{Id},\"subject\":{Template},\"body\":{LongText},\"from\":{Text}"),
        ["send_transactional"] = Object($"\"template_id\":{Id},\"subject\":{Template},\"body\":{LongText},\"to\":{Template}"),
        ["add_to_sequence"] = Object($"\"sequence_id\":{Id}", "sequence_id"),
        ["remove_from_sequence"] = Object($"\"sequence_id\":{Id},\"reason\":{Text}", "sequence_id"),
        ["unsubscribe"] = Object($"\"reason\":{Text}"),
        ["create_deal"] = Object("""
            "deal":{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1,"maxLength":200}}}
            """, "deal"),
        ["update_deal"] = Object($"\"deal_id\":{Template},\"changes\":{{\"type\":\"object\",\"minProperties\":1}}", "changes"),
        ["move_deal_stage"] = Object($"\"deal_id\":{Template},\"stage\":{Text}", "stage"),
        ["create_task"] = Object($$"""
            "title":{{Template}},"description":{{LongText}},"due_in_hours":{"type":"number","minimum":0,"maximum":87600},
            "assignee_id":{{Text}},"priority":{"enum":["low","normal","high","urgent"]}
            """, "title"),
        ["update_task"] = Object($"\"task_id\":{Template},\"changes\":{{\"type\":\"object\",\"minProperties\":1}}", "task_id", "changes"),
        ["complete_task"] = Object($"\"task_id\":{Template}", "task_id"),
        ["add_note"] = Object($"\"body\":{LongText}", "body"),
        ["assign_owner"] = Object($"\"owner_id\":{Text},\"group\":{Text}"),
        ["change_lead_state"] = Object($"\"to_state\":{Text},\"notes\":{Template}", "to_state"),
        ["send_notification"] = Object($"\"user_id\":{Text},\"title\":{Template},\"body\":{LongText},\"link\":{Template}", "title"),
        ["send_sms"] = Object($"\"to\":{Template},\"from\":{Text},\"body\":{{\"type\":\"string\",\"minLength\":1,\"maxLength\":1600}}", "body"),
        ["send_push"] = Object($"\"title\":{Template},\"body\":{Template}", "title"),
        ["send_slack"] = Object($"\"webhook_url\":{{\"type\":\"string\",\"format\":\"uri\"}},\"text\":{LongText}", "webhook_url", "text"),
        ["send_webhook"] = Object($$"""
            "url":{{Template}},"method":{"enum":["GET","POST","PUT","PATCH","DELETE"]},"headers":{"type":"object","maxProperties":50},"body":{},
            "signing_secret":{{SecretName}},"timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":120}
            """, "url"),
        ["http_request"] = Object($$"""
            "url":{{Template}},"method":{"enum":["GET","POST","PUT","PATCH","DELETE"]},"headers":{"type":"object","maxProperties":50},"body":{},
            "signing_secret":{{SecretName}},"timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":120}
            """, "url"),
        ["track_event"] = Object($"\"type\":{Text},\"metadata\":{{\"type\":\"object\"}}", "type"),
        ["predict_action"] = Object("""
            "min_probability":{"type":"number","minimum":0,"maximum":1},"timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":86400}
            """),
        ["optimize_timing"] = Object("\"max_wait_hours\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":720}"),
        ["generate_email"] = Object($"\"template_id\":{Id},\"subject\":{Template},\"body\":{LongText}"),
        ["generate_task"] = Object($$"""
            "title":{{Template}},"due_in_hours":{"type":"number","minimum":0,"maximum":87600},"priority":{"enum":["low","normal","high","urgent"]}
            """),
    };

    /// <summary>Actions of modules GrowthOps does not have: published as <c>WorkflowActionRequested</c> for whoever handles them.</summary>
    public static readonly FrozenSet<string> ExternalActions = new[]
    {
        "redirect_to_step", "add_to_funnel", "remove_from_funnel", "show_popup", "hide_popup", "trigger_sequence", "create_subscription",
        "update_subscription", "cancel_subscription", "apply_coupon", "change_plan", "webhook_call", "api_integration",
    }.ToFrozenSet();

    static readonly Lazy<FrozenDictionary<string, JsonSchema>> Compiled = new(() =>
        ActionSchemas.ToFrozenDictionary(kv => kv.Key, kv => JsonSchema.FromText(kv.Value)));

    public static bool IsAction(string type) => ActionSchemas.ContainsKey(type) || ExternalActions.Contains(type);

    public static IReadOnlyCollection<string> Actions => [.. ActionSchemas.Keys, .. ExternalActions];

    /// <summary>The schema of an action's config; null for an external action (any object).</summary>
    public static JsonSchema? SchemaOf(string action) => Compiled.Value.GetValueOrDefault(action);

    public static string? SchemaTextOf(string action) => ActionSchemas.GetValueOrDefault(action);
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Graph;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>What an action did: a log line, its rendered input, its output (kept as <c>steps.&lt;node id&gt;</c>), or a time to wait until.</summary>
/// <remarks><see cref="AwaitReply"/>: the step waits (that long at most) for the answer to its command, which a consumer puts in <c>steps.&lt;node id&gt;</c>.</remarks>
public sealed record ActionResult(string Message, JsonNode? Input, JsonNode? Output, DateTimeOffset? WaitUntil = null, TimeSpan? AwaitReply = null);

/// <summary>
/// Carries out action nodes. Commands to other services (Leads' commands, Email's <c>SendEmail</c>) go out through the outbox
/// in the step's transaction, with ids derived from the step, so a step never acts twice; HTTP actions call out and report
/// failures for the retry schedule. A dry run renders everything and sends nothing.
/// </summary>
public sealed partial class ActionRunner(
    IHttpClientFactory http, ContactsStore contacts, RunModel models, SecretsStore secretsStore, NotificationsStore notifications, HostCircuits circuits,
    IOptions<CortexOptions> options)
{
    public const string HttpClientName = "cortex-actions";
    const string Masked = "********";

    public async Task<ActionResult> RunAsync(WorkflowRun run, GraphNode node, ExecuteStep m, ContactSnapshot? contact, JsonObject model,
        ConsumeContext context, DateTimeOffset now, CancellationToken ct)
    {
        var action = node.Subtype!;
        // Secrets a config names are rendered into the call only: the log's input shows them masked.
        var named = SecretNames(action, node.Config);
        var config = models.Render(node.Config, named.Count == 0 ? model : WithSecrets(model, named.ToDictionary(n => n, _ => Masked)))?.AsObject()
                     ?? new JsonObject();
        IReadOnlyDictionary<string, string> secrets = new Dictionary<string, string>();
        var live = config;
        if (named.Count > 0 && !run.DryRun)
        {
            secrets = await secretsStore.OpenAsync(named, ct);
            live = models.Render(node.Config, WithSecrets(model, secrets))?.AsObject() ?? new JsonObject();
        }

        if (action is "send_email" or "generate_email" or "send_transactional" && node.Config.TryGetProperty("body", out var html) &&
            html.ValueKind == JsonValueKind.String)
            config["body"] = models.RenderHtml(html.GetString()!, model);
        var requestedBy = $"workflow:{run.WorkflowId}:run:{run.Id}";
        var tenant = m.TenantId;
        var commandId = m.StepId;
        var contactId = run.ContactId;
        string? S(string name) => config[name]?.GetValueKind() == JsonValueKind.String ? config[name]!.GetValue<string>() : config[name]?.ToJsonString();
        Guid? G(string name) => Guid.TryParse(S(name), out var g) ? g : null;

        object? command = action switch
        {
            "add_tag" => new AddTag(tenant, commandId, contactId, null, requestedBy, S("tag")!, now),
            "remove_tag" => new RemoveTag(tenant, commandId, contactId, null, requestedBy, S("tag")!, now),
            "update_field" => new UpdateContactField(tenant, commandId, contactId, null, requestedBy, Fields(config), now),
            "change_lead_state" => new ChangeLeadState(tenant, commandId, contactId, null, requestedBy, S("to_state")!, S("notes"), now),
            "assign_owner" => new AssignOwner(tenant, commandId, contactId, null, requestedBy, G("deal_id"), S("owner_id"), S("group"), now),
            "create_task" => new CreateTask(tenant, commandId, contactId, null, requestedBy, G("deal_id"), S("title")!, S("description"),
                config["due_in_hours"] is { } h ? now.AddHours(h.GetValue<double>()) : null, S("assignee_id"), S("priority"), now),
            "complete_task" => G("task_id") is { } task ? new CompleteTask(tenant, commandId, contactId, null, requestedBy, task, now) : Invalid("task_id"),
            "update_task" => G("task_id") is { } changedTask
                ? new UpdateTask(tenant, commandId, contactId, null, requestedBy, changedTask, JsonSerializer.SerializeToElement(config["changes"]), now)
                : Invalid("task_id"),
            "generate_task" => SuggestTask(tenant, commandId, requestedBy, contact, config, model, now),
            "track_event" => new RecordActivity(tenant, commandId, contactId, null, requestedBy, S("type")!,
                config["metadata"] is JsonObject metadata ? JsonSerializer.SerializeToElement(metadata) : null, now),
            "predict_action" => new PredictNextState(tenant, commandId, contactId, null, requestedBy, now),
            "add_note" => new AddNote(tenant, commandId, contactId, null, requestedBy, G("deal_id"), S("body")!, now),
            "create_deal" => new CreateDeal(tenant, commandId, contactId, null, requestedBy, JsonSerializer.SerializeToElement(config["deal"]), now),
            "update_deal" => G("deal_id") is { } deal
                ? new UpdateDeal(tenant, commandId, contactId, null, requestedBy, deal, JsonSerializer.SerializeToElement(config["changes"]), now)
                : Invalid("deal_id"),
            "move_deal_stage" => G("deal_id") is { } moved
                ? new MoveDealStage(tenant, commandId, contactId, null, requestedBy, moved, S("stage")!, now)
                : Invalid("deal_id"),
            "merge_contacts" => G("duplicate_id") is { } duplicate
                ? new MergeContacts(tenant, commandId, contactId, null, requestedBy, duplicate, null, now)
                : Invalid("duplicate_id"),
            "calculate_score" => new RecalculateScore(tenant, commandId, contactId, null, requestedBy, config["add_points"]?.GetValue<int>(), now),
            "unsubscribe" => new SetMarketingConsent(tenant, commandId, contactId, null, requestedBy, false, S("reason") ?? "workflow", now),
            "send_email" or "generate_email" or "send_transactional" => new SendEmail(tenant, $"workflow-run:{run.Id}:step:{m.StepId}",
                action == "send_transactional" && S("to") is { } to ? null : contactId, action == "send_transactional" ? S("to") : null, G("template_id"),
                S("subject"), S("body"), null, Merge(model), action == "send_transactional" ? "transactional" : "marketing", run.DryRun, requestedBy,
                m.StepId, now, S("from")),
            "add_to_segment" => G("segment_id") is { } into && contactId is { } member
                ? new GrowthOps.Contracts.Segments.AddToSegment(tenant, commandId, into, member, requestedBy, now)
                : contactId is null ? NoContact(action) : Invalid("segment_id"),
            "remove_from_segment" => G("segment_id") is { } outOf && contactId is { } leaving
                ? new GrowthOps.Contracts.Segments.RemoveFromSegment(tenant, commandId, outOf, leaving, requestedBy, now)
                : contactId is null ? NoContact(action) : Invalid("segment_id"),
            "add_to_sequence" => G("sequence_id") is { } sequence && contactId is { } enrolled
                ? new EnrollInSequence(tenant, sequence, enrolled, requestedBy, now)
                : contactId is null ? NoContact(action) : Invalid("sequence_id"),
            "remove_from_sequence" => G("sequence_id") is { } stopped && contactId is { } removed
                ? new StopSequence(tenant, commandId, stopped, removed, S("reason") ?? "workflow", requestedBy, now)
                : contactId is null ? NoContact(action) : Invalid("sequence_id"),
            _ => null,
        };

        if (command is not null)
        {
            var name = Describe(action);
            if (run.DryRun)
                return new ActionResult($"Would execute Action: {name}", config, JsonSerializer.SerializeToNode(command, command.GetType()));
            if (command is ILeadsCommand or SendEmail or EnrollInSequence && contactId is null && command is not SendEmail { To: not null })
                throw new StepFailedException($"{action} needs a contact; this run has none", retryable: false, config);
            await context.Publish(command, command.GetType(), ct);
            // A prediction is read by the steps after it: the run waits for Leads' answer (NextStatePredicted), or goes on without it.
            if (command is PredictNextState)
                return new ActionResult($"Executing Action: {name}", config, new JsonObject { ["command_id"] = commandId, ["status"] = "requested" },
                    AwaitReply: TimeSpan.FromSeconds(config["timeout_seconds"]?.GetValue<double>() ?? 300));
            return new ActionResult($"Executing Action: {name}", config, new JsonObject { ["command_id"] = commandId, ["status"] = "sent" });
        }

        switch (action)
        {
            case "http_request" or "send_webhook" or "send_slack":
                return run.DryRun
                    ? new ActionResult($"Would execute Action: {Describe(action)}", config, null)
                    : await CallAsync(action, live, config, secrets, m, ct);
            case "send_sms":
            {
                var to = S("to") ?? contact?.Phone;
                if (string.IsNullOrWhiteSpace(to))
                    throw new StepFailedException("send_sms needs config.to or a contact with a phone number", retryable: false, config);
                if (run.DryRun)
                    return new ActionResult($"Would execute Action: Send SMS to {to}", config, null);
                return await SmsAsync(to, live, config, secrets, m, ct);
            }
            case "send_notification":
            {
                var user = S("user_id") ?? contact?.OwnerId;
                if (string.IsNullOrWhiteSpace(user))
                    throw new StepFailedException("send_notification needs config.user_id or a contact with an owner", retryable: false, config);
                var output = new JsonObject { ["notification_id"] = m.StepId, ["user_id"] = user };
                if (run.DryRun)
                    return new ActionResult($"Would notify {user}", config, output);
                await notifications.AddAsync(new Notification(m.StepId, user, S("title")!, S("body"), S("link"), run.WorkflowId, run.Id, contactId,
                    now.UtcDateTime, null), ct);
                return new ActionResult($"Executing Action: Send Notification to {user}", config, output);
            }
            case "optimize_timing":
            {
                var zone = contact?.Timezone ?? "UTC";
                var hour = await contacts.BestOpenHourAsync(contactId, RunModel.Zone(zone).Id, ct) ?? await contacts.BestOpenHourAsync(null, RunModel.Zone(zone).Id, ct) ?? 10;
                var local = TimeZoneInfo.ConvertTime(now, RunModel.Zone(zone));
                var at = new DateTime(local.Year, local.Month, local.Day, hour, 0, 0, DateTimeKind.Unspecified);
                var due = new DateTimeOffset(at, RunModel.Zone(zone).GetUtcOffset(at));
                if (due <= now)
                    due = due.AddDays(1);
                var max = config["max_wait_hours"]?.GetValue<double>() ?? 48;
                if (due > now.AddHours(max))
                    due = now.AddHours(max);
                var output = new JsonObject { ["hour"] = hour, ["send_at"] = due.UtcDateTime };
                return run.DryRun
                    ? new ActionResult($"Would wait for the contact's best hour ({hour}:00 {zone})", config, output)
                    : new ActionResult($"Waiting for the contact's best hour ({hour}:00 {zone})", config, output, due);
            }
            default:
            {
                var requested = new WorkflowActionRequested(tenant, run.WorkflowId, run.Id, m.StepId, node.Id, action, contactId,
                    JsonSerializer.SerializeToElement(config), now);
                if (run.DryRun)
                    return new ActionResult($"Would request Action: {Describe(action)}", config, null);
                await context.Publish(requested, ct);
                return new ActionResult($"Requested Action: {Describe(action)} (WorkflowActionRequested)", config,
                    new JsonObject { ["status"] = "requested" });
            }
        }
    }

    /// <summary>
    /// <c>generate_task</c>: a follow-up task for the contact's owner, its title the config's or suggested from what the run knows (the
    /// contact's state, the trigger), its description the evidence (score, last interaction, the event), due in
    /// <c>due_in_hours</c> (24 by default). Local: no model service is needed.
    /// </summary>
    static CreateTask SuggestTask(Guid tenant, Guid commandId, string requestedBy, ContactSnapshot? contact, JsonObject config, JsonObject model,
        DateTimeOffset now)
    {
        if (contact is null)
            throw new StepFailedException("generate_task needs a contact; this run has none", retryable: false, config);
        var name = string.Join(' ', new[] { contact.FirstName, contact.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } full
            ? full
            : contact.Email ?? "the contact";
        // The event's own type where it has one (an activity that came in as custom.event), else the trigger's.
        var trigger = model["event"]?["type"] is JsonValue { } type && type.GetValueKind() == JsonValueKind.String
            ? type.GetValue<string>()
            : model["run"]?["trigger_type"]?.GetValue<string>();
        var title = config["title"]?.GetValue<string>() is { Length: > 0 } given
            ? given
            : trigger is not null && !trigger.StartsWith("schedule.", StringComparison.Ordinal)
                ? $"Follow up with {name} after {trigger}"
                : $"Follow up with {name}" + (contact.LeadState is { } state ? $" ({state})" : "");
        var evidence = new List<string>();
        if (contact.LeadState is { } leadState)
            evidence.Add($"Lead state: {leadState}.");
        evidence.Add($"Score: {contact.Score}" + (contact.AiScore is { } ai ? $", AI score {ai}." : "."));
        if (contact.LastInteractionAt is { } last)
            evidence.Add($"Last interaction: {last:yyyy-MM-dd HH:mm} UTC.");
        if (contact.Company is { Length: > 0 } company)
            evidence.Add($"Company: {company}.");
        var due = now.AddHours(config["due_in_hours"]?.GetValue<double>() ?? 24);
        var title300 = title.Length > 300 ? title[..300] : title;
        return new CreateTask(tenant, commandId, contact.Id, null, requestedBy, null, title300, string.Join(' ', evidence), due, contact.OwnerId,
            config["priority"]?.GetValue<string>() ?? (contact.Score >= 50 ? "high" : "normal"), now);
    }

    static object NoContact(string action) => throw new StepFailedException($"{action} needs a contact; this run has none", retryable: false);

    static object Invalid(string field) => throw new StepFailedException($"config.{field} is not a valid id after rendering", retryable: false);

    /// <summary>"send_email" → "Send Email", as the seed's log lines say it.</summary>
    static string Describe(string action) => string.Join(' ', action.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    static IReadOnlyDictionary<string, JsonElement> Fields(JsonObject config)
    {
        if (config["fields"] is JsonObject fields)
            return fields.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
        return new Dictionary<string, JsonElement> { [config["field"]!.GetValue<string>()] = JsonSerializer.SerializeToElement(config["value"]) };
    }

    /// <summary>Merge data for Email: the run's event, variables and steps (the contact's own fields Email has).</summary>
    static IReadOnlyDictionary<string, JsonElement> Merge(JsonObject model) => new Dictionary<string, JsonElement>
    {
        ["event"] = JsonSerializer.SerializeToElement(model["event"]),
        ["variables"] = JsonSerializer.SerializeToElement(model["variables"]),
        ["steps"] = JsonSerializer.SerializeToElement(model["steps"]),
    };

    /// <summary>The secrets a config names: <c>{{secrets.name}}</c> anywhere, a webhook's <c>signing_secret</c>, Twilio's credentials.</summary>
    static IReadOnlyCollection<string> SecretNames(string action, JsonElement config)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (config.ValueKind == JsonValueKind.Undefined)
            return names;
        var text = config.GetRawText();
        if (text.Contains("secrets.", StringComparison.Ordinal))
            foreach (System.Text.RegularExpressions.Match match in SecretReference().Matches(text))
                names.Add(match.Groups[1].Value);
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("signing_secret", out var signing) && signing.ValueKind == JsonValueKind.String)
            names.Add(signing.GetString()!);
        if (action == "send_sms")
            names.UnionWith(["twilio_account_sid", "twilio_auth_token", "twilio_from", "twilio_base_url"]);
        return names;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"secrets\.([A-Za-z][A-Za-z0-9_]{0,99})")]
    private static partial System.Text.RegularExpressions.Regex SecretReference();

    static JsonObject WithSecrets(JsonObject model, IReadOnlyDictionary<string, string> secrets)
    {
        var copy = model.DeepClone().AsObject();
        copy["secrets"] = new JsonObject(secrets.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        return copy;
    }

    static string Secret(IReadOnlyDictionary<string, string> secrets, string name, JsonObject logged) =>
        secrets.TryGetValue(name, out var value) ? value
            : throw new StepFailedException($"The secret '{name}' is not set (PUT /api/cortex/secrets/{name})", retryable: false, logged);

    /// <summary>One call through the host's circuit breaker; failures become retryable (or not) step failures.</summary>
    async Task<(HttpResponseMessage Response, string Text)> SendAsync(HttpRequestMessage request, JsonObject logged, TimeSpan timeoutAfter,
        CancellationToken ct)
    {
        var uri = request.RequestUri!;
        var what = $"{request.Method} {uri.GetLeftPart(UriPartial.Path)}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutAfter);
        HttpResponseMessage response;
        try
        {
            response = await circuits.For(uri.Authority).ExecuteAsync(
                async token => await http.CreateClient(HttpClientName).SendAsync(request, token), timeout.Token);
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw new StepFailedException($"{what} not tried: the circuit for {uri.Authority} is open after repeated failures", retryable: true, logged);
        }
        catch (GrowthOps.ServiceDefaults.Outbound.OutboundRequestRefusedException e)
        {
            throw new StepFailedException($"{what} refused: {e.Message}", retryable: false, logged);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new StepFailedException($"{what} failed: {e.Message}", retryable: true, logged);
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        if (text.Length > 64_000)
            text = text[..64_000];
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new StepFailedException($"{what} answered {status}",
                retryable: status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout, logged);
        }

        return (response, text);
    }

    static JsonNode? Parse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>
    /// An SMS through Twilio's Messages API (form-encoded, basic auth with the account SID and auth token), or a
    /// Twilio-compatible provider's at the tenant's <c>twilio_base_url</c>.
    /// </summary>
    async Task<ActionResult> SmsAsync(string to, JsonObject config, JsonObject logged, IReadOnlyDictionary<string, string> secrets, ExecuteStep m,
        CancellationToken ct)
    {
        var sid = Secret(secrets, "twilio_account_sid", logged);
        var token = Secret(secrets, "twilio_auth_token", logged);
        var from = (config["from"]?.GetValue<string>() is { Length: > 0 } f ? f : null) ?? Secret(secrets, "twilio_from", logged);
        var body = config["body"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{secrets.GetValueOrDefault("twilio_base_url", options.Value.TwilioBaseUrl).TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(sid)}/Messages.json")
        {
            Content = new FormUrlEncodedContent([new("To", to), new("From", from), new("Body", body)]),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{sid}:{token}")));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", m.StepId.ToString());
        var (response, text) = await SendAsync(request, logged, options.Value.HttpTimeout, ct);
        using (response)
        {
            var parsed = Parse(text);
            var messageSid = parsed is JsonObject o && o["sid"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            return new ActionResult($"Executing Action: Send SMS to {to} ({messageSid ?? "no sid"})", logged,
                new JsonObject { ["status"] = (int)response.StatusCode, ["sid"] = messageSid, ["body"] = parsed });
        }
    }

    async Task<ActionResult> CallAsync(string action, JsonObject config, JsonObject logged, IReadOnlyDictionary<string, string> secrets, ExecuteStep m,
        CancellationToken ct)
    {
        var url = config[action == "send_slack" ? "webhook_url" : "url"]!.GetValue<string>();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new StepFailedException($"'{url}' is not an http(s) URL", retryable: false, config);
        var method = action == "send_slack" ? "POST" : config["method"]?.GetValue<string>() ?? (action == "send_webhook" ? "POST" : "GET");
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        var body = action == "send_slack" ? new JsonObject { ["text"] = config["text"]?.DeepClone() } : config["body"];
        if (body is not null && method != "GET")
            request.Content = new StringContent(body.GetValueKind() == JsonValueKind.String ? body.GetValue<string>() : body.ToJsonString(), Encoding.UTF8,
                body.GetValueKind() == JsonValueKind.String ? "text/plain" : "application/json");
        if (config["headers"] is JsonObject headers)
            foreach (var (name, value) in headers)
                if (value is not null && !request.Headers.TryAddWithoutValidation(name, value.ToString()))
                    request.Content?.Headers.TryAddWithoutValidation(name, value.ToString());
        // Receivers deduplicate by this id: a retried step sends the same one.
        var messageId = $"msg_{m.StepId:N}";
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", m.StepId.ToString());
        // Standard Webhooks: the receiver checks webhook-signature over id, timestamp and body with the shared secret.
        if (config["signing_secret"]?.GetValue<string>() is { } signingName)
        {
            var payload = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            var timestamp = DateTimeOffset.UtcNow;
            string signature;
            try
            {
                signature = new StandardWebhooks.StandardWebhook(Secret(secrets, signingName, logged)).Sign(messageId, timestamp, payload);
            }
            catch (FormatException)
            {
                throw new StepFailedException($"The secret '{signingName}' is no signing key: whsec_ followed by base64", retryable: false, logged);
            }

            request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        }

        var timeout = config["timeout_seconds"] is { } t ? TimeSpan.FromSeconds(t.GetValue<double>()) : options.Value.HttpTimeout;
        var (response, text) = await SendAsync(request, logged, timeout, ct);
        using (response)
            return new ActionResult($"Executing Action: {Describe(action)} ({method} {uri.Host} → {(int)response.StatusCode})", logged,
                new JsonObject { ["status"] = (int)response.StatusCode, ["body"] = Parse(text) });
    }
}

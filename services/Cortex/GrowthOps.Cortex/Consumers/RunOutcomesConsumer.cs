using System.Text.Json.Nodes;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// What became of a run's commands, in its log (<c>cortex-run-outcomes</c>): Email's delivery outcome of a step's
/// <c>SendEmail</c> (by its idempotency key) and Leads' and Segments' refusals of a step's command (by <c>RequestedBy</c>), so a run's log
/// shows the email sent or failed and the tag that could not be added, under the step that asked.
/// Answers a step waits for (Leads' <c>NextStatePredicted</c> to a <c>predict_action</c>) are put in the run's context as the step's
/// output and wake it.
/// </summary>
public sealed class RunOutcomesConsumer(RunsStore runs, TimeProvider clock) :
    IConsumer<EmailSent>, IConsumer<EmailFailed>, IConsumer<LeadsCommandFailed>, IConsumer<GrowthOps.Contracts.Segments.SegmentCommandFailed>,
    IConsumer<NextStatePredicted>
{
    public Task Consume(ConsumeContext<NextStatePredicted> context)
    {
        var m = context.Message;
        return AnswerAsync(m.TenantId, RunOfRequester(m.RequestedBy), m.CommandId, new JsonObject
        {
            ["status"] = "ok",
            ["prediction_id"] = m.PredictionId,
            ["from_state"] = m.FromState,
            ["predicted_state"] = m.PredictedState,
            ["predicted_state_id"] = m.PredictedStateId,
            ["probability"] = m.Probability,
            ["confidence"] = m.Confidence,
            ["probabilities"] = new JsonObject(m.Probabilities.Select(p => KeyValuePair.Create(p.State, (JsonNode?)JsonValue.Create(p.Probability)))),
            ["model"] = m.Model,
            ["cached"] = m.Cached,
        }, context);
    }

    /// <summary>The answer to a step's command, if the step still waits for it: its output, and the step woken (<c>met</c>).</summary>
    async Task AnswerAsync(Guid tenantId, Guid? runId, Guid stepId, JsonObject output, ConsumeContext context)
    {
        var ct = context.CancellationToken;
        if (runId is not { } id || await runs.GetAsync(id, ct, forUpdate: true) is not { IsFinished: false } run)
            return;
        if (await runs.TakeReplyWaitAsync(id, stepId, ct) is not { } node)
            return; // timed out before (the run went on without it), or answered already
        var steps = run.Context["steps"] as JsonObject ?? (JsonObject)(run.Context["steps"] = new JsonObject());
        steps[node] = output;
        await runs.UpdateAsync(run with { UpdatedAt = clock.GetUtcNow().UtcDateTime }, ct);
        await context.SendAsync(run.Priority, new ExecuteStep(tenantId, id, stepId, node, 1, ExecuteStep.Resume, "met", clock.GetUtcNow()), ct);
    }

    public Task Consume(ConsumeContext<GrowthOps.Contracts.Segments.SegmentCommandFailed> context)
    {
        var m = context.Message;
        return Log(RunOfRequester(m.RequestedBy), m.CommandId, "failed", $"Segments refused {m.Command}: {m.Message}",
            new JsonObject { ["reason"] = m.Reason, ["segment_id"] = m.SegmentId }, m.Message, context);
    }

    public Task Consume(ConsumeContext<EmailSent> context)
    {
        var m = context.Message;
        return Log(RunOfKey(m.IdempotencyKey), m.CorrelationId, "ok", m.DryRun ? $"Email rendered (dry run): {m.Subject}" : $"Email sent to {m.Email}",
            new JsonObject { ["message_id"] = m.MessageId, ["provider"] = m.Provider, ["provider_message_id"] = m.ProviderMessageId }, null, context);
    }

    public Task Consume(ConsumeContext<EmailFailed> context)
    {
        var m = context.Message;
        return Log(RunOfKey(m.IdempotencyKey), m.CorrelationId, "failed", $"Email not sent: {m.Reason}",
            new JsonObject { ["message_id"] = m.MessageId, ["reason"] = m.Reason, ["error_code"] = m.ErrorCode }, m.Error, context);
    }

    public async Task Consume(ConsumeContext<LeadsCommandFailed> context)
    {
        var m = context.Message;
        if (m.Command == nameof(PredictNextState))
            await AnswerAsync(m.TenantId, RunOfRequester(m.RequestedBy), m.CommandId, new JsonObject
            {
                ["status"] = "failed", ["reason"] = m.Reason, ["detail"] = m.Detail,
            }, context);
        await Log(RunOfRequester(m.RequestedBy), m.CommandId, "failed", $"Leads refused {m.Command}: {m.Detail}",
            new JsonObject { ["reason"] = m.Reason, ["status"] = m.Status }, m.Detail, context);
    }

    /// <summary>The run of a step's command: <c>workflow:&lt;workflow&gt;:run:&lt;run&gt;</c>.</summary>
    static Guid? RunOfRequester(string requestedBy) =>
        requestedBy.Split(':') is ["workflow", _, "run", var id] && Guid.TryParse(id, out var g) ? g : null;

    /// <summary>The run of a step's email: <c>workflow-run:&lt;run&gt;:step:&lt;step&gt;</c>.</summary>
    static Guid? RunOfKey(string? key) =>
        key?.Split(':') is ["workflow-run", var run, "step", _] && Guid.TryParse(run, out var id) ? id : null;

    async Task Log(Guid? runId, Guid? stepId, string status, string message, JsonNode output, string? error, ConsumeContext context)
    {
        if (runId is not { } id || await runs.GetAsync(id, context.CancellationToken) is null)
            return;
        var node = stepId is { } step ? await runs.NodeOfStepAsync(id, step, context.CancellationToken) : null;
        await runs.LogAsync(id, stepId, node, "outcome", 1, status, message, null, output, error, clock.GetUtcNow().UtcDateTime, null,
            context.CancellationToken);
    }
}

using System.Text.Json.Nodes;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Cortex.Data;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// What became of a run's commands, in its log (<c>cortex-run-outcomes</c>): Email's delivery outcome of a step's
/// <c>SendEmail</c> (by its idempotency key) and Leads' and Segments' refusals of a step's command (by <c>RequestedBy</c>), so a run's log
/// shows the email sent or failed and the tag that could not be added, under the step that asked.
/// </summary>
public sealed class RunOutcomesConsumer(RunsStore runs, TimeProvider clock) :
    IConsumer<EmailSent>, IConsumer<EmailFailed>, IConsumer<LeadsCommandFailed>, IConsumer<GrowthOps.Contracts.Segments.SegmentCommandFailed>
{
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

    public Task Consume(ConsumeContext<LeadsCommandFailed> context)
    {
        var m = context.Message;
        return Log(RunOfRequester(m.RequestedBy), m.CommandId, "failed", $"Leads refused {m.Command}: {m.Detail}",
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

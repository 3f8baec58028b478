using System.Security.Cryptography;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Integrations;
using GrowthOps.Leads.Integrations.Webhooks;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.Secrets;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Runs the state automations a <see cref="LeadStateChanged"/> triggers, in the message's transaction: each matching active
/// automation whose conditions hold on the contact runs its actions in order and records one execution. A refused action
/// (a transition that is not allowed, a contact deleted meanwhile, a webhook that keeps failing) is rolled back to its own
/// savepoint and recorded as failed; the other actions still run. Anything else throws, so the whole message is retried.
/// </summary>
public sealed class AutomationRunner(
    AutomationsStore automations,
    ContactDirectory directory,
    LeadStateEngine engine,
    IPublishEndpoint publish,
    AutomationWebhooks webhooks,
    TenantSecretBox secrets,
    UnitOfWork unitOfWork,
    IOptions<AutomationOptions> options,
    ILogger<AutomationRunner> logger)
{
    const string Savepoint = "automation_action";

    public async Task RunAsync(LeadStateChanged change, CancellationToken ct)
    {
        var matching = await automations.MatchingAsync(change.FromStateId, change.ToStateId, ct);
        if (matching.Count == 0)
            return;

        var depth = AutomationChain.DepthOf(change.Source, change.TriggeredBy);
        var maxDepth = options.Value.MaxChainDepth;
        var now = DateTime.UtcNow;
        var executed = new List<Guid>();
        foreach (var automation in matching)
        {
            if (!AutomationConditions.AllHold(automation.Conditions, change.Contact))
                continue;

            var executionId = Guid.CreateVersion7();
            if (depth > maxDepth)
            {
                // Recorded, not run: a loop that was stopped shows up in the automation's executions.
                var reason = $"Not run: this state change was made {depth} automations deep, more than the limit of {maxDepth}.";
                if (await automations.TryClaimExecutionAsync(executionId, automation.Id, change.ContactId, change.HistoryId,
                        AutomationActionResult.Skipped, reason, now, ct))
                    logger.LogWarning("Automation {AutomationId} not run for contact {ContactId}: chain depth {Depth} exceeds {MaxDepth}",
                        automation.Id, change.ContactId, depth, maxDepth);
                continue;
            }

            if (!await automations.TryClaimExecutionAsync(executionId, automation.Id, change.ContactId, change.HistoryId,
                    AutomationActionResult.Succeeded, null, now, ct))
                continue;

            var results = new List<AutomationActionResult>();
            foreach (var action in automation.Actions)
                results.Add(await RunActionAsync(automation, action, change, depth, ct));

            var failed = results.Where(r => r.Status == AutomationActionResult.Failed).ToList();
            await automations.CompleteExecutionAsync(executionId, failed.Count == 0 ? AutomationActionResult.Succeeded : AutomationActionResult.Failed,
                results, failed.Count == 0 ? null : string.Join(" ", failed.Select(r => $"{r.Type}: {r.Error}")), ct);
            if (failed.Count > 0)
                logger.LogWarning("Automation {AutomationId} failed for contact {ContactId}: {Errors}", automation.Id, change.ContactId,
                    string.Join(" ", failed.Select(r => r.Error)));
            executed.Add(automation.Id);
        }

        if (executed.Count > 0)
            await automations.CountExecutionsAsync(executed, now, ct);
    }

    async Task<AutomationActionResult> RunActionAsync(Automation automation, AutomationAction action, LeadStateChanged change, int depth,
        CancellationToken ct)
    {
        // Through the unit of work: a rollback must also drop the messages the action published (deferred outbox rows).
        await unitOfWork.SavepointAsync(Savepoint, ct);
        try
        {
            var result = await ExecuteAsync(automation, action, change, depth, ct);
            if (result.Status == AutomationActionResult.Failed)
                await unitOfWork.RollbackToSavepointAsync(Savepoint, ct);
            else
                await unitOfWork.ReleaseSavepointAsync(Savepoint, ct);
            return result;
        }
        catch (DomainException refusal)
        {
            // Undo whatever the action wrote (and published) before it was refused. The result carries the status the API would
            // have answered the same refusal with, so a client reads an action's failure as it reads its own requests'.
            await unitOfWork.RollbackToSavepointAsync(Savepoint, ct);
            return new AutomationActionResult(action.Type, AutomationActionResult.Failed, refusal.Message,
                ProblemDetailsExceptionHandler.StatusCodeOf(refusal));
        }
    }

    async Task<AutomationActionResult> ExecuteAsync(Automation automation, AutomationAction action, LeadStateChanged change, int depth,
        CancellationToken ct)
    {
        var ok = new AutomationActionResult(action.Type, AutomationActionResult.Succeeded);
        switch (action.Type)
        {
            case AutomationActions.AddTag:
                await directory.AddTagAsync(change.ContactId, action.Tag!, ct);
                return ok;

            case AutomationActions.RemoveTag:
                await directory.RemoveTagAsync(change.ContactId, action.Tag!, ct);
                return ok;

            case AutomationActions.ChangeState:
                var entry = await engine.TransitionAsync(new LeadStateEngine.Request(change.ContactId, action.ToStateId?.ToString() ?? action.ToState,
                    null, action.Notes, AutomationChain.TriggeredBy(automation.Id, depth + 1), TransitionSources.Automation), ct);
                return ok with { HistoryId = entry.Id };

            case AutomationActions.StartWorkflow:
                await publish.Publish(new StartWorkflow(change.TenantId, action.WorkflowId!.Value, change.ContactId, TriggeredBy(automation),
                    action.Variables, DateTimeOffset.UtcNow), ct);
                return ok;

            case AutomationActions.EnrollSequence:
                await publish.Publish(new EnrollInSequence(change.TenantId, action.SequenceId!.Value, change.ContactId, TriggeredBy(automation),
                    DateTimeOffset.UtcNow), ct);
                return ok;

            case AutomationActions.Webhook:
                string secret;
                try
                {
                    secret = secrets.Open(Convert.FromBase64String(action.ProtectedSecret ?? ""), change.TenantId);
                }
                catch (Exception e) when (e is CryptographicException or FormatException)
                {
                    return new AutomationActionResult(action.Type, AutomationActionResult.Failed,
                        "The webhook secret cannot be read (was the secrets key changed?); set the secret again.");
                }

                return await webhooks.SendAsync(action, secret, automation.Id, change, ct);

            default:
                return new AutomationActionResult(action.Type, AutomationActionResult.Failed, $"Unknown action type '{action.Type}'.");
        }
    }

    static string TriggeredBy(Automation automation) => TriggeredByFormats.LeadAutomation(automation.Id);
}

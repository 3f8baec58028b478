using GrowthOps.Contracts.Email;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Transactional;
using MassTransit;

namespace GrowthOps.Email.Consumers;

/// <summary>
/// Queues the email a workflow or sequence asks for (behind the inbox: one transaction per message in its tenant). A command
/// that cannot be sent — an unknown contact, a missing template, content that does not render, a malformed field — is never
/// retried or dead-lettered: it is recorded as a failed email under its idempotency key and answered with
/// <see cref="EmailFailed"/>. The same key again (a redelivery, a retried workflow step) queues nothing and publishes nothing.
/// </summary>
public sealed class SendEmailConsumer(TransactionalSender sender, MessagesStore messages, TimeProvider clock, ILogger<SendEmailConsumer> logger)
    : IConsumer<SendEmail>
{
    public async Task Consume(ConsumeContext<SendEmail> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        var request = SendRequest.Of(command);
        SendRefusal refusal;
        if (request.Errors() is { Count: > 0 } errors)
        {
            refusal = new SendRefusal("rejected", "invalid_command",
                string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
            if (errors.ContainsKey("idempotency_key"))
            {
                // Without a key there is nothing to hold a record under; the answer is all there is.
                await FailAsync(context, Guid.CreateVersion7(), request, refusal);
                return;
            }
        }
        else
        {
            var outcome = await sender.SendAsync(request, ct);
            if (outcome.Refusal is null)
            {
                if (!outcome.SameContent)
                    logger.LogWarning("SendEmail with key {IdempotencyKey} from {RequestedBy} differs from the email {MessageId} queued under that key: nothing sent",
                        command.IdempotencyKey, command.RequestedBy, outcome.Id);
                return;
            }

            refusal = outcome.Refusal;
        }

        var (id, created) = await messages.RecordRefusedAsync(TransactionalSender.Refused(request), refusal.ErrorCode, refusal.Message, ct);
        if (created)
            await FailAsync(context, id, request, refusal);
    }

    async Task FailAsync(ConsumeContext<SendEmail> context, Guid id, SendRequest request, SendRefusal refusal)
    {
        logger.LogWarning("SendEmail {MessageId} (key {IdempotencyKey}, from {RequestedBy}) not sent: {Reason} {Error}", id, request.IdempotencyKey,
            request.RequestedBy, refusal.Reason, refusal.Message);
        await context.Publish(new EmailFailed(context.Message.TenantId, id, request.ContactId, request.To, null, request.IdempotencyKey,
            request.CorrelationId, refusal.Reason, refusal.ErrorCode, refusal.Message, clock.GetUtcNow()), context.CancellationToken);
    }
}

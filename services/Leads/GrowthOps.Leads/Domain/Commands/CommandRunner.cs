using System.Text.Json;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;
using Npgsql;

namespace GrowthOps.Leads.Domain.Commands;

/// <summary>
/// Applies a command another service sent, once per <see cref="ILeadsCommand.CommandId"/>, in the consumed message's
/// transaction: the command is logged with its outcome in that transaction, and answered with <see cref="LeadsCommandApplied"/>
/// or <see cref="LeadsCommandFailed"/> through the outbox. A command that cannot apply (a refusal of the domain: an unknown
/// contact, a transition not allowed, a bad value) has its writes rolled back to a savepoint, is logged as failed and answered,
/// and the message is done: never retried, never a poison message. Anything else (the database gone) fails the message, which
/// the bus retries. A command delivered again under a new message id finds its log row and is answered as before.
/// </summary>
public sealed class CommandRunner(LeadsTransaction tx, CommandLogStore log, ContactsStore contacts, IPublishEndpoint publish, TimeProvider clock,
    ILogger<CommandRunner> logger)
{
    const string Savepoint = "leads_command";

    /// <summary>What the command needs of its contact.</summary>
    public enum ContactUse
    {
        /// <summary>The command is about the contact: without one it fails.</summary>
        Required,

        /// <summary>The command may name a contact (it must exist then) or not (a deal's, a task's).</summary>
        Optional,
    }

    /// <summary>A command whose own values are wrong (400 on the API): <c>invalid</c>.</summary>
    public sealed class InvalidCommandException(string message) : DomainException(message);

    public async Task RunAsync<T>(T command, ContactUse use, Func<Contact?, Task<Guid?>> apply, CancellationToken ct)
        where T : class, ILeadsCommand
    {
        var name = typeof(T).Name;
        await tx.RunAsync(async () =>
        {
            if (await log.GetAsync(command.CommandId, ct) is { } earlier)
            {
                logger.LogInformation("Command {Command} {CommandId} from {RequestedBy} was handled before ({Status}); answering again", name,
                    command.CommandId, command.RequestedBy, earlier.Status);
                await AnswerAsync(earlier, ct);
                return;
            }

            var unitOfWork = tx.UnitOfWork;
            await unitOfWork.SavepointAsync(Savepoint, ct);
            Contact? contact = null;
            CommandLogStore.Entry entry;
            try
            {
                contact = await ResolveAsync(command, use, ct);
                var objectId = await apply(contact);
                await unitOfWork.ReleaseSavepointAsync(Savepoint, ct);
                entry = Entry(command, name, contact?.Id, "applied", null, null, null, objectId);
            }
            catch (Exception e) when (Failure(e) is { } failure)
            {
                await unitOfWork.RollbackToSavepointAsync(Savepoint, e, ct);
                logger.LogWarning("Command {Command} {CommandId} from {RequestedBy} failed: {Reason} ({Detail})", name, command.CommandId,
                    command.RequestedBy, failure.Reason, failure.Detail);
                entry = Entry(command, name, contact?.Id ?? command.ContactId, "failed", failure.Reason, failure.Detail, failure.Status, null);
            }

            if (!await log.TryInsertAsync(entry, ct))
                throw new InvalidOperationException($"Command {command.CommandId} was logged by a concurrent delivery; this one is retried and answered from the log.");
            await AnswerAsync(entry, ct);
        }, ct);
    }

    CommandLogStore.Entry Entry<T>(T command, string name, Guid? contactId, string status, string? reason, string? detail, int? httpStatus,
        Guid? objectId) where T : class, ILeadsCommand =>
        new(command.CommandId, name, contactId, command.ContactEmail, command.RequestedBy, status, reason, detail, httpStatus, objectId,
            JsonSerializer.Serialize(command, PayloadJson), clock.GetUtcNow().UtcDateTime);

    /// <summary>The logged command in the API's spelling (snake_case).</summary>
    static readonly JsonSerializerOptions PayloadJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    Task AnswerAsync(CommandLogStore.Entry entry, CancellationToken ct) =>
        entry.Status == "applied"
            ? publish.Publish(new LeadsCommandApplied(contacts.TenantId, entry.CommandId, entry.Command, entry.ContactId, entry.RequestedBy, entry.ObjectId,
                clock.GetUtcNow()), ct)
            : publish.Publish(new LeadsCommandFailed(contacts.TenantId, entry.CommandId, entry.Command, entry.ContactId, entry.ContactEmail,
                entry.RequestedBy, entry.Reason!, entry.Detail ?? "", entry.HttpStatus ?? 422, clock.GetUtcNow()), ct);

    /// <summary>The command's contact, locked: by id (a merged duplicate's id reaches its survivor), else by email (primary or secondary).</summary>
    async Task<Contact?> ResolveAsync(ILeadsCommand command, ContactUse use, CancellationToken ct)
    {
        if (command.ContactId is { } id)
            return await contacts.GetAsync(id, ct, forUpdate: true)
                   ?? (await contacts.MergedIntoAsync(id, ct) is { } survivor ? await contacts.GetAsync(survivor, ct, forUpdate: true) : null)
                   ?? throw new ContactNotFoundException($"No contact {id}.");
        if (!string.IsNullOrWhiteSpace(command.ContactEmail))
            return await contacts.FindByEmailAsync(command.ContactEmail, ct, forUpdate: true)
                   ?? throw new ContactNotFoundException($"No contact has the email {command.ContactEmail}.");
        return use == ContactUse.Required ? throw new ContactNotFoundException("The command names no contact (contact_id or contact_email).") : null;
    }

    sealed class ContactNotFoundException(string message) : DomainException(message);

    sealed record Failed(string Reason, string Detail, int Status);

    static Failed? Failure(Exception e) => e switch
    {
        ContactNotFoundException => new("contact_not_found", e.Message, StatusCodes.Status404NotFound),
        InvalidCommandException => new("invalid", e.Message, StatusCodes.Status400BadRequest),
        NotFoundException => new("not_found", e.Message, StatusCodes.Status404NotFound),
        ConflictException => new("conflict", e.Message, StatusCodes.Status409Conflict),
        RuleRefusedException => new("refused", e.Message, StatusCodes.Status422UnprocessableEntity),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } p => new("conflict", p.MessageText, StatusCodes.Status409Conflict),
        _ => null,
    };
}

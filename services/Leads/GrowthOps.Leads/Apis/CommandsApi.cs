using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.ServiceDefaults.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The commands other services sent Leads (AddTag, ChangeLeadState… on the bus) and what became of each: one command by its
/// id, and the failed ones, which the senders were answered with <c>LeadsCommandFailed</c>.
/// </summary>
public static class CommandsApi
{
    public static RouteGroupBuilder MapCommandsApi(this RouteGroupBuilder api)
    {
        var commands = api.MapGroup("/commands").WithTags("Commands");
        commands.MapGet("/failures", Failures);
        commands.MapGet("/{command_id:guid}", Get);
        return api;
    }

    public sealed record CommandDto(
        Guid CommandId,
        [property: Description("Its type: AddTag, ChangeLeadState, CreateDeal…")] string Command,
        Guid? ContactId,
        string? ContactEmail,
        [property: Description("workflow:<id>:run:<id>, sequence:<id>, email:unsubscribe…")] string RequestedBy,
        [property: Description("applied or failed.")] string Status,
        [property: Description("contact_not_found, not_found, conflict, refused or invalid.")] string? Reason,
        string? Detail,
        [property: Description("What the API would have answered.")] int? HttpStatus,
        [property: Description("What it created or changed: the task, the deal, the history entry, the contact.")] Guid? ObjectId,
        [property: Description("The command as it was sent.")] JsonElement Payload,
        DateTime ReceivedAt)
    {
        public static CommandDto From(CommandLogStore.Entry e) => new(e.CommandId, e.Command, e.ContactId, e.ContactEmail, e.RequestedBy, e.Status, e.Reason,
            e.Detail, e.HttpStatus, e.ObjectId, JsonSerializer.Deserialize<JsonElement>(e.PayloadJson), e.ReceivedAt);
    }

    public sealed record FailuresQuery(
        [property: MaxLength(50), Description("One command type (AddTag…).")] string? Command = null,
        [property: MaxLength(200), Description("Senders whose requested_by starts so (workflow:<id>).")] string? RequestedBy = null);

    static async Task<Results<Ok<CommandDto>, NotFound>> Get([FromRoute(Name = "command_id")] Guid commandId, LeadsTransaction tx, CommandLogStore log, CancellationToken ct) =>
        await tx.RunAsync(() => log.GetAsync(commandId, ct), ct) is { } entry ? TypedResults.Ok(CommandDto.From(entry)) : TypedResults.NotFound();

    /// <summary>Failed commands, newest first.</summary>
    static async Task<Ok<Page<CommandDto>>> Failures([AsParameters] FailuresQuery query, [AsParameters] PageRequest page, LeadsTransaction tx,
        CommandLogStore log, CancellationToken ct) =>
        TypedResults.Ok((await tx.RunAsync(() => log.FailuresAsync(query.Command, query.RequestedBy, page, ct), ct)).Select(CommandDto.From));
}

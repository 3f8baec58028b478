using System.Security.Claims;
using GrowthOps.Contracts.Email;
using GrowthOps.Email.Data;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Apis;

/// <summary>
/// The tenant's suppression list: nothing but strictly transactional mail goes to an address on it. Hard bounces and spam
/// complaints land here from the provider's webhooks, unsubscribes from the links; this API lists, checks, adds, removes,
/// imports and exports. Adding (or importing) with reason <c>unsubscribe</c> publishes <see cref="EmailUnsubscribed"/> so
/// that Leads clears the contact's consent; removing an address does not give consent back.
/// </summary>
public static class SuppressionsApi
{
    const string Unsubscribe = "unsubscribe";
    const int InsertChunk = 5000;

    public static RouteGroupBuilder MapSuppressionsApi(this RouteGroupBuilder api, long maxImportBytes)
    {
        var suppressions = api.MapGroup("/suppressions").WithTags("Suppressions");
        suppressions.MapGet("/", List);
        suppressions.MapPost("/", Add);
        suppressions.MapPost("/import", Import).Accepts<string>(SuppressionsCsv.ContentType)
            .WithMetadata(new RequestSizeLimitAttribute(maxImportBytes));
        suppressions.MapGet("/{email}", Get);
        suppressions.MapDelete("/{email}", Remove);
        api.MapGet("/suppressions.csv", Export).WithTags("Suppressions").Produces<Stream>(StatusCodes.Status200OK, SuppressionsCsv.ContentType);
        return api;
    }

    internal static async Task<Results<Ok<Page<Suppression>>, ValidationProblem>> List([AsParameters] SuppressionsQuery query,
        [AsParameters] PageRequest page, UnitOfWork unitOfWork, SuppressionListStore store, CancellationToken ct)
    {
        if (query.Errors() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.ListAsync(query.Reason, query.Search, page, ct), ct));
    }

    /// <summary>Whether the address is suppressed: its entry, or 404 when mail may go to it.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The address is not suppressed.")]
    internal static async Task<Ok<Suppression>> Get(string email, UnitOfWork unitOfWork, SuppressionListStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.GetAsync(email, ct), ct)
                        ?? throw new NotFoundException($"{email} is not suppressed."));

    /// <summary>Suppresses the address: 201 with the new entry, or 200 with the entry that was there (whose reason is kept).</summary>
    internal static async Task<Results<Created<Suppression>, Ok<Suppression>, ValidationProblem>> Add(SuppressionRequest request, ClaimsPrincipal user,
        UnitOfWork unitOfWork, SuppressionsStore suppressions, SuppressionListStore store, RecipientsReader recipients, IPublishEndpoint publish,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (!EmailAddress.TryParse(request.Email, out var address, out var problem))
            errors.TryAdd("email", [problem]);
        var reason = request.Reason ?? "manual";
        if (!SuppressionListStore.Reasons.Contains(reason))
            errors.TryAdd("reason", [$"one of {string.Join(", ", SuppressionListStore.Reasons)}"]);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var (created, entry) = await unitOfWork.InTransactionAsync(async () =>
        {
            var created = await suppressions.AddAsync(address!.Value, reason, "api", null, null, User(user), ct);
            if (created && reason == Unsubscribe)
                await publish.Publish(new EmailUnsubscribed(unitOfWork.TenantId!.Value, null, (await recipients.FindByEmailAsync(address.Value, ct))?.ContactId,
                    address.Value.ToLowerInvariant(), null, "manual", clock.GetUtcNow()), ct);
            return (created, (await store.GetAsync(address.Value, ct))!);
        }, ct);
        return created ? TypedResults.Created($"/api/email/suppressions/{Uri.EscapeDataString(entry.Email)}", entry) : TypedResults.Ok(entry);
    }

    [ProducesProblem(StatusCodes.Status404NotFound, "The address is not suppressed.")]
    internal static async Task<NoContent> Remove(string email, UnitOfWork unitOfWork, SuppressionListStore store, CancellationToken ct)
    {
        if (!await unitOfWork.InTransactionAsync(() => store.RemoveAsync(email, ct), ct))
            throw new NotFoundException($"{email} is not suppressed.");
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Imports a CSV of addresses (header row with <c>email</c>, optional <c>reason</c>, default manual): valid rows are suppressed
    /// in one transaction, refused rows are listed with their line numbers. Over the size limit: 413, nothing imported.
    /// </summary>
    [ProducesProblem(StatusCodes.Status413PayloadTooLarge, "The file is over Email:Transactional:MaxImportBytes.")]
    [ProducesProblem(StatusCodes.Status415UnsupportedMediaType, "The body is not text/csv.")]
    internal static async Task<Results<Ok<SuppressionImport>, ValidationProblem>> Import(HttpRequest http, ClaimsPrincipal user, UnitOfWork unitOfWork,
        SuppressionListStore store, IPublishEndpoint publish, IOptions<TransactionalOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (http.ContentType is not { } type || !type.StartsWith(SuppressionsCsv.ContentType, StringComparison.OrdinalIgnoreCase))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"must be {SuppressionsCsv.ContentType}"] });
        // Read whole (within the limit) before anything is written: a body cut off by the limit imports nothing.
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await http.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > options.Value.MaxImportBytes)
                throw new BadHttpRequestException($"The file is larger than {options.Value.MaxImportBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
            body.Write(buffer, 0, read);
        }

        body.Position = 0;
        var parsed = SuppressionsCsv.Read(body);
        var imported = await unitOfWork.InTransactionAsync(async () =>
        {
            var added = new List<SuppressionListStore.Entry>();
            foreach (var chunk in parsed.Entries.Chunk(InsertChunk))
                added.AddRange(await store.AddManyAsync(chunk, "import", User(user), ct));
            var unsubscribed = added.Where(a => a.Reason == Unsubscribe).Select(a => a.Email).ToList();
            if (unsubscribed.Count > 0)
            {
                var contacts = await store.ContactsByEmailAsync(unsubscribed, ct);
                var now = clock.GetUtcNow();
                foreach (var email in unsubscribed)
                    await publish.Publish(new EmailUnsubscribed(unitOfWork.TenantId!.Value, null, contacts.GetValueOrDefault(email), email, null, "manual", now), ct);
            }

            return added.Count;
        }, ct);
        return TypedResults.Ok(new SuppressionImport(parsed.Rows, imported, parsed.Entries.Count - imported, parsed.ErrorCount, parsed.Errors));
    }

    /// <summary>The entries the filters keep, newest first, as a CSV attachment streamed from the database.</summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    internal static IResult Export([AsParameters] SuppressionsQuery query, UnitOfWork unitOfWork, SuppressionListStore store, CancellationToken ct)
    {
        if (query.Errors() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Stream(body => unitOfWork.InTransactionAsync(() => SuppressionsCsv.WriteAsync(body, store.StreamAsync(query.Reason, query.Search, ct), ct), ct),
            SuppressionsCsv.ContentType, "suppressions.csv");
    }

    static string? User(ClaimsPrincipal user) => user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
}

using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Domain.Deals;

/// <summary>
/// The rules of deals, in the caller's transaction: a deal is in one stage of one pipeline; entering a stage records the time
/// spent in the one it leaves and publishes <see cref="DealStageChanged"/>, and entering a closed-won / closed-lost stage
/// publishes <see cref="DealWon"/> / <see cref="DealLost"/> (once per entry: moving back out and in again publishes again).
/// </summary>
public sealed class DealBook(UnitOfWork unitOfWork, DealsStore store, DealDefaults defaults, IPublishEndpoint publish, TimeProvider clock)
{
    public sealed record Draft(
        string Name,
        decimal? Amount,
        string Currency,
        Guid? PipelineId,
        string? Stage,
        string? OwnerId,
        DateOnly? ExpectedCloseDate,
        string? Source,
        string? Channel,
        IReadOnlyDictionary<string, JsonElement>? Attributes,
        IReadOnlyDictionary<string, string>? ExternalIds,
        IReadOnlyList<Guid> ContactIds);

    /// <summary>The fields a PATCH changes (<see cref="Optional{T}"/>: absent keeps, present sets, a null clears).</summary>
    public sealed record Changes(
        Optional<string?> Name,
        Optional<decimal?> Amount,
        Optional<string?> Currency,
        Optional<string?> Stage,
        Optional<string?> OwnerId,
        Optional<DateOnly?> ExpectedCloseDate,
        Optional<string?> Source,
        Optional<string?> Channel,
        Optional<IReadOnlyDictionary<string, JsonElement>?> Attributes,
        Optional<IReadOnlyDictionary<string, string>?> ExternalIds,
        Optional<IReadOnlyList<Guid>?> ContactIds)
    {
        /// <summary>Changes nothing: the start of a change to one or two fields (<c>Changes.None with { OwnerId = … }</c>).</summary>
        public static readonly Changes None = new(default, default, default, default, default, default, default, default, default, default, default);
    }

    /// <summary>Where a change came from outside Leads (a HubSpot delivery): carried on the <see cref="DealStageChanged"/> it causes.</summary>
    public sealed record Origin(long PortalId, long EventId, string ExternalDealId);

    public async Task<IReadOnlyList<Pipeline>> PipelinesAsync(CancellationToken ct)
    {
        await defaults.EnsureAsync(unitOfWork, store, ct);
        return await store.PipelinesAsync(ct);
    }

    public async Task<Pipeline> CreatePipelineAsync(string name, IReadOnlyList<DealsStore.NewStage> stages, CancellationToken ct)
    {
        await defaults.EnsureAsync(unitOfWork, store, ct);
        var id = Guid.CreateVersion7();
        if (!await store.TryCreatePipelineAsync(id, name, isDefault: false, stages, ct))
            throw new ConflictException($"The tenant has a pipeline named '{name}'.");
        return (await store.PipelinesAsync(ct)).Single(p => p.Id == id);
    }

    public async Task<Deal> CreateAsync(Draft draft, string source, string? triggeredBy, CancellationToken ct, Origin? origin = null)
    {
        var pipelines = await PipelinesAsync(ct);
        var pipeline = draft.PipelineId is { } pipelineId
            ? pipelines.FirstOrDefault(p => p.Id == pipelineId) ?? throw Invalid("pipeline_id", "is no pipeline of the tenant")
            : pipelines.First(p => p.IsDefault);
        var stage = draft.Stage is null ? pipeline.Stages[0] : FindStage(pipeline, draft.Stage);
        await RequireContactsAsync(draft.ContactIds, ct);
        var digits = MinorUnits(draft.Currency);
        var now = clock.GetUtcNow().UtcDateTime;
        var deal = new Deal(Guid.CreateVersion7(), draft.Name, Minor(draft.Amount, draft.Currency, digits), draft.Currency, pipeline.Id, stage.Id,
            draft.OwnerId, ToDate(draft.ExpectedCloseDate), draft.Source, draft.Channel, Json(draft.Attributes), Json(draft.ExternalIds), now,
            stage.IsClosed ? now : null, now, now, draft.ContactIds.Distinct().ToArray());
        await store.InsertAsync(deal, ct);
        await store.MoveAsync(deal, null, stage, now, source, triggeredBy, ct);
        await publish.Publish(new DealCreated(unitOfWork.TenantId!.Value, deal.Id, deal.Name, deal.AmountMinor, draft.Amount, deal.Currency, pipeline.Id,
            stage.Key, deal.ContactIds, deal.OwnerId, deal.Source, deal.Channel, triggeredBy, now), ct);
        await PublishEnteredAsync(deal, null, stage, source, triggeredBy, now, origin, ct);
        return (await store.GetAsync(deal.Id, ct))!;
    }

    public async Task<Deal> ChangeAsync(Guid id, Changes changes, string source, string? triggeredBy, CancellationToken ct, Origin? origin = null)
    {
        var pipelines = await PipelinesAsync(ct);
        var deal = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No deal {id}.");
        var currency = changes.Currency.HasValue ? changes.Currency.Value ?? throw Invalid("currency", "cannot be cleared") : deal.Currency;
        var digits = MinorUnits(currency);
        long? amountMinor = changes.Amount.HasValue ? Minor(changes.Amount.Value, currency, digits)
            : changes.Currency.HasValue && deal.AmountMinor is { } kept && currency != deal.Currency
                ? Minor(Currencies.FromMinor(kept, MinorUnits(deal.Currency)), currency, digits)
                : deal.AmountMinor;
        var contactIds = changes.ContactIds.HasValue ? (changes.ContactIds.Value ?? []).Distinct().ToArray() : deal.ContactIds;
        if (changes.ContactIds.HasValue)
            await RequireContactsAsync(contactIds, ct);
        var updated = deal with
        {
            Name = changes.Name.HasValue ? changes.Name.Value ?? throw Invalid("name", "cannot be cleared") : deal.Name,
            AmountMinor = amountMinor,
            Currency = currency,
            OwnerId = changes.OwnerId.Or(deal.OwnerId),
            ExpectedCloseDate = changes.ExpectedCloseDate.HasValue ? ToDate(changes.ExpectedCloseDate.Value) : deal.ExpectedCloseDate,
            Source = changes.Source.Or(deal.Source),
            Channel = changes.Channel.Or(deal.Channel),
            Attributes = changes.Attributes.HasValue ? Json(changes.Attributes.Value) : deal.Attributes,
            ExternalIds = changes.ExternalIds.HasValue ? Json(changes.ExternalIds.Value) : deal.ExternalIds,
            UpdatedAt = clock.GetUtcNow().UtcDateTime,
            ContactIds = contactIds,
        };
        await store.UpdateAsync(updated, ct);
        if (changes.ContactIds.HasValue)
            await store.SetContactsAsync(id, contactIds, ct);
        if (changes.Stage is { HasValue: true, Value: var stageRef })
            await MoveToAsync(updated, pipelines, stageRef ?? throw Invalid("stage", "cannot be cleared"), source, triggeredBy, origin, ct);
        return (await store.GetAsync(id, ct))!;
    }

    /// <summary>Moves the deal to the stage (key or id) of its pipeline; a move to the stage it is in changes nothing.</summary>
    public async Task<Deal> MoveAsync(Guid id, string stageRef, string source, string? triggeredBy, CancellationToken ct)
    {
        var pipelines = await PipelinesAsync(ct);
        var deal = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No deal {id}.");
        await MoveToAsync(deal, pipelines, stageRef, source, triggeredBy, null, ct);
        return (await store.GetAsync(id, ct))!;
    }

    async Task MoveToAsync(Deal deal, IReadOnlyList<Pipeline> pipelines, string stageRef, string source, string? triggeredBy, Origin? origin,
        CancellationToken ct)
    {
        var pipeline = pipelines.Single(p => p.Id == deal.PipelineId);
        var from = pipeline.Stages.Single(s => s.Id == deal.StageId);
        var to = FindStage(pipeline, stageRef);
        if (to.Id == from.Id)
            return;
        var now = clock.GetUtcNow().UtcDateTime;
        await store.MoveAsync(deal, from, to, now, source, triggeredBy, ct);
        await PublishEnteredAsync(deal, from, to, source, triggeredBy, now, origin, ct);
    }

    async Task PublishEnteredAsync(Deal deal, PipelineStage? from, PipelineStage to, string source, string? triggeredBy, DateTime now, Origin? origin,
        CancellationToken ct)
    {
        var tenantId = unitOfWork.TenantId!.Value;
        var amount = deal.AmountMinor is { } minor ? Currencies.FromMinor(minor, MinorUnits(deal.Currency)) : (decimal?)null;
        await publish.Publish(new DealStageChanged(tenantId, deal.Id.ToString(), origin?.PortalId ?? 0, from?.Key, to.Key, amount,
            deal.ContactIds.Length > 0 ? deal.ContactIds[0] : null, null, origin?.EventId ?? 0, now, source, deal.Currency, deal.PipelineId, deal.ContactIds,
            triggeredBy, origin?.ExternalDealId), ct);
        if (to.ClosedWon && from?.ClosedWon != true)
            await publish.Publish(new DealWon(tenantId, deal.Id, deal.Name, deal.AmountMinor, amount, deal.Currency, deal.PipelineId, to.Key, deal.ContactIds,
                deal.OwnerId, deal.Source, deal.Channel, triggeredBy, now), ct);
        else if (to.ClosedLost && from?.ClosedLost != true)
            await publish.Publish(new DealLost(tenantId, deal.Id, deal.Name, deal.AmountMinor, amount, deal.Currency, deal.PipelineId, to.Key, deal.ContactIds,
                deal.OwnerId, triggeredBy, now), ct);
    }

    /// <summary>
    /// The stage another system names: by key or id, else by key or name spelt loosely (case, spaces, _ and - aside: HubSpot's
    /// <c>appointment_scheduled</c> is <c>appointmentscheduled</c>); null when the pipeline has none such.
    /// </summary>
    public static PipelineStage? MatchStage(Pipeline pipeline, string value)
    {
        static string Loose(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var loose = Loose(value);
        return pipeline.Stages.FirstOrDefault(s => s.Key == value || s.Id.ToString() == value)
               ?? pipeline.Stages.FirstOrDefault(s => Loose(s.Key) == loose || Loose(s.Name) == loose);
    }

    static PipelineStage FindStage(Pipeline pipeline, string stageRef) =>
        pipeline.Stages.FirstOrDefault(s => s.Key == stageRef || s.Id.ToString() == stageRef)
        ?? throw new RuleRefusedException($"'{stageRef}' is no stage of the pipeline '{pipeline.Name}'.", new Dictionary<string, object?>
        {
            ["field"] = "stage", ["stages"] = pipeline.Stages.Select(s => s.Key).ToArray(),
        });

    async Task RequireContactsAsync(IReadOnlyList<Guid> contactIds, CancellationToken ct)
    {
        var unknown = await store.UnknownContactsAsync(contactIds, ct);
        if (unknown.Count > 0)
            throw new RuleRefusedException($"No contact {string.Join(", ", unknown)}.", new Dictionary<string, object?> { ["field"] = "contact_ids", ["unknown"] = unknown });
    }

    static int MinorUnits(string currency) => Currencies.MinorUnitsOf(currency) ?? throw Invalid("currency", "is no ISO 4217 currency code (e.g. EUR)");

    static long? Minor(decimal? amount, string currency, int digits) => amount is not { } a ? null
        : a < 0 ? throw Invalid("amount", "cannot be negative")
        : Currencies.ToMinor(a, digits) ?? throw Invalid("amount", $"{currency} has {digits} decimal places");

    static DateOnly? ToDate(DateOnly? date) => date;

    static string Json<T>(IReadOnlyDictionary<string, T>? values) => JsonSerializer.Serialize(values ?? new Dictionary<string, T>());

    static RuleRefusedException Invalid(string field, string message) =>
        new($"{field} {message}.", new Dictionary<string, object?> { ["field"] = field });
}

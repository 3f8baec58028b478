using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Campaigns;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using HandlebarsDotNet;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Campaigns as the seed's wizard builds them (settings → audience → design → review → send now or schedule), their moves while
/// they send (pause, resume, cancel), and what they report (progress, stats).
/// </summary>
public static class CampaignsApi
{
    public static IHostApplicationBuilder AddCampaigns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CampaignsOptions>().BindConfiguration(CampaignsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<CampaignsStore>();
        builder.Services.AddScoped<CampaignJobsStore>();
        builder.Services.AddScoped<AudiencesStore>();
        builder.Services.AddScoped<CampaignTemplatesReader>();
        builder.Services.AddScoped<CampaignSending>();
        builder.Services.AddHostedService<CampaignScheduler>();
        return builder;
    }

    public static RouteGroupBuilder MapCampaignsApi(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/", List);
        campaigns.MapPost("/", Create);
        campaigns.MapGet("/{id:guid}", Get);
        campaigns.MapDelete("/{id:guid}", Delete);
        campaigns.MapPut("/{id:guid}/settings", UpdateSettings);
        campaigns.MapPut("/{id:guid}/audience", SetAudience);
        campaigns.MapPut("/{id:guid}/design", SetDesign);
        campaigns.MapPost("/{id:guid}/duplicate", Duplicate);
        campaigns.MapGet("/{id:guid}/audience/count", CountOfCampaign);
        campaigns.MapGet("/{id:guid}/review", Review);
        campaigns.MapPost("/{id:guid}/send", Send);
        campaigns.MapPost("/{id:guid}/schedule", Schedule);
        campaigns.MapPost("/{id:guid}/unschedule", Unschedule);
        campaigns.MapPost("/{id:guid}/pause", Pause);
        campaigns.MapPost("/{id:guid}/resume", Resume);
        campaigns.MapPost("/{id:guid}/cancel", Cancel);
        campaigns.MapGet("/{id:guid}/progress", Progress);
        campaigns.MapGet("/{id:guid}/stats", Stats);
        api.MapPost("/audiences/count", CountOfAudience).WithTags("Campaigns");
        return api;
    }

    internal static async Task<Results<Ok<Page<Campaign>>, ValidationProblem>> List([AsParameters] CampaignsQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, CampaignsStore store, CancellationToken ct)
    {
        if (query.Status is { } status && !CampaignStatuses.All.Contains(status))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"one of {string.Join(", ", CampaignStatuses.All)}"] });
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.ListAsync(query.Status, page, ct), ct));
    }

    internal static async Task<Results<Created<Campaign>, ValidationProblem>> Create(CampaignSettingsRequest request, ClaimsPrincipal user,
        UnitOfWork unitOfWork, CampaignsStore store, CancellationToken ct)
    {
        if (Settings(request, out var settings) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var campaign = await unitOfWork.InTransactionAsync(
            () => store.CreateAsync(Guid.CreateVersion7(), settings, CampaignAudience.None, null, null, UserOf(user), ct), ct);
        return TypedResults.Created($"/api/email/campaigns/{campaign.Id}", campaign);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<Campaign>> Get(Guid id, UnitOfWork unitOfWork, CampaignsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () => await store.GetAsync(id, ct) ?? throw NotFound(id), ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Only a draft can be deleted (cancel a scheduled or sending campaign instead).")]
    internal static async Task<NoContent> Delete(Guid id, UnitOfWork unitOfWork, CampaignSending sending, CampaignsStore store, CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            CampaignSending.Require(await sending.LockAsync(id, ct), CampaignStatuses.From.Delete, "deleted");
            return await store.DeleteDraftAsync(id, ct);
        }, ct);
        return TypedResults.NoContent();
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Only a draft is edited.")]
    internal static async Task<Results<Ok<Campaign>, ValidationProblem>> UpdateSettings(Guid id, CampaignSettingsRequest request, UnitOfWork unitOfWork,
        CampaignSending sending, CampaignsStore store, CancellationToken ct)
    {
        if (Settings(request, out var settings) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await EditAsync(id, unitOfWork, sending, () => store.UpdateSettingsAsync(id, settings, ct), ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Only a draft is edited.")]
    internal static async Task<Results<Ok<Campaign>, ValidationProblem>> SetAudience(Guid id, AudienceRequest request, UnitOfWork unitOfWork,
        CampaignSending sending, CampaignsStore store, CancellationToken ct)
    {
        if (Audience(request, out var audience) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await EditAsync(id, unitOfWork, sending, () => store.UpdateAudienceAsync(id, audience, ct), ct));
    }

    /// <summary>Sets the template (and optionally a fixed version of it); it must exist, not archived, with that version.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Only a draft is edited.")]
    internal static async Task<Results<Ok<Campaign>, ValidationProblem>> SetDesign(Guid id, DesignRequest request, UnitOfWork unitOfWork,
        CampaignSending sending, CampaignsStore store, CampaignTemplatesReader templates, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (request.TemplateId is null)
            errors["template_id"] = ["required"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var templateId = request.TemplateId!.Value;
        var (campaign, unknown) = await unitOfWork.InTransactionAsync(async () =>
        {
            CampaignSending.Require(await sending.LockAsync(id, ct), CampaignStatuses.From.Edit, "edited");
            if (await templates.VersionToPinAsync(templateId, request.TemplateVersion, ct) is null)
                return ((Campaign?)null, true);
            return (await store.UpdateDesignAsync(id, templateId, request.TemplateVersion, ct), false);
        }, ct);
        if (unknown)
            return TypedResults.ValidationProblem(request.TemplateVersion is { } v
                ? new Dictionary<string, string[]> { ["template_version"] = [$"template {templateId} has no version {v}, or is archived or unknown"] }
                : new Dictionary<string, string[]> { ["template_id"] = ["no such template (or it is archived)"] });
        return TypedResults.Ok(campaign!);
    }

    /// <summary>A new draft with the campaign's settings, audience and design (the template version it asked for, not the one a send pinned).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Created<Campaign>> Duplicate(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, CampaignsStore store,
        CancellationToken ct)
    {
        var copy = await unitOfWork.InTransactionAsync(async () =>
        {
            var c = await store.GetAsync(id, ct) ?? throw NotFound(id);
            var name = c.Name.Length > 193 ? c.Name[..193] : c.Name;
            return await store.CreateAsync(Guid.CreateVersion7(), new CampaignSettings($"{name} (copy)", c.FromEmail, c.FromName, c.ReplyTo, c.Subject,
                c.Preheader), c.Audience, c.TemplateId, c.TemplateVersion, UserOf(user), ct);
        }, ct);
        return TypedResults.Created($"/api/email/campaigns/{copy.Id}", copy);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<AudienceCounts>> CountOfCampaign(Guid id, UnitOfWork unitOfWork, CampaignsStore store, AudiencesStore audiences,
        CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
            await audiences.CountAsync((await store.GetAsync(id, ct) ?? throw NotFound(id)).Audience, ct), ct));

    /// <summary>Counts an audience not saved in any campaign (while it is being chosen).</summary>
    internal static async Task<Results<Ok<AudienceCounts>, ValidationProblem>> CountOfAudience(AudienceRequest request, UnitOfWork unitOfWork,
        AudiencesStore audiences, CancellationToken ct)
    {
        if (Audience(request, out var audience) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => audiences.CountAsync(audience, ct), ct));
    }

    /// <summary>
    /// The review: counts, problems, and a preview for <c>contact_id</c> (any recipient) or else the first recipient the campaign
    /// would be sent to. A template that does not render is a problem of its own (<c>template_does_not_render</c>).
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<CampaignReview>> Review(Guid id, Guid? contactId, UnitOfWork unitOfWork, CampaignsStore store, CampaignSending sending,
        AudiencesStore audiences, CampaignTemplatesReader templates, RecipientsReader recipients, TemplateRenderer renderer, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var campaign = await store.GetAsync(id, ct) ?? throw NotFound(id);
            var (problems, version, counts) = await sending.CheckAsync(campaign, ct);
            var list = problems.ToList();
            CampaignPreview? preview = null;
            var versionToShow = campaign.PinnedTemplateVersion ?? version;
            if (campaign.TemplateId is { } templateId && versionToShow is { } v && await templates.ContentAsync(templateId, v, ct) is { } content &&
                (contactId ?? await audiences.SampleSendableAsync(campaign.Audience, ct)) is { } sampleId)
            {
                var recipient = await recipients.GetAsync(sampleId, ct)
                                ?? throw new NotFoundException($"Contact {sampleId} is not a recipient here (unknown, or deleted).");
                var email = recipient.Email ?? "";
                var model = MergeFields.For(recipient, email, campaign.Preheader is null ? null
                    : new Dictionary<string, JsonElement> { ["preheader"] = JsonSerializer.SerializeToElement(campaign.Preheader) });
                try
                {
                    preview = new CampaignPreview(sampleId, email, v, renderer.RenderPlain(campaign.Subject ?? content.Subject, model),
                        renderer.RenderHtml(content.Html, model), content.Text is null ? null : renderer.RenderPlain(content.Text, model));
                }
                catch (HandlebarsException e)
                {
                    list.Add(new CampaignProblem("template_does_not_render", $"The template does not render: {e.Message}"));
                }
            }

            return new CampaignReview(campaign, counts, list, list.Count == 0, preview);
        }, ct));

    /// <summary>
    /// Sends now: pins the template version, queues one email per recipient with an address in one statement (suppressed and
    /// non-consenting ones recorded as suppressed), and the campaign is sending.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is not a draft or scheduled (it was sent or is sending).")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The campaign is not ready: its problems are listed, as the review shows them.")]
    internal static async Task<Ok<Campaign>> Send(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, CampaignSending sending, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
            await sending.SendAsync(await sending.LockAsync(id, ct), UserOf(user) ?? "unknown", ct), ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is not a draft or scheduled.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The campaign is not ready, the time has passed, or the fallback zone is unknown.")]
    internal static async Task<Results<Ok<Campaign>, ValidationProblem>> Schedule(Guid id, ScheduleRequest request, UnitOfWork unitOfWork,
        CampaignSending sending, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        var local = request.LocalTime is not null || request.Date is not null || request.FallbackTimezone is not null;
        if (request.SendAt is not null == local)
            errors["send_at"] = ["give send_at, or local_time with date and fallback_timezone (not both)"];
        if (local)
        {
            if (!TimeOnly.TryParseExact(request.LocalTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                errors["local_time"] = ["required, HH:mm (24-hour)"];
            if (!DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                errors["date"] = ["required, yyyy-MM-dd"];
            if (string.IsNullOrWhiteSpace(request.FallbackTimezone))
                errors["fallback_timezone"] = ["required: the IANA zone of recipients without a known one (such as Europe/Paris)"];
        }

        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var campaign = await sending.LockAsync(id, ct);
            return request.SendAt is { } at
                ? await sending.ScheduleAtAsync(campaign, at, ct)
                : await sending.ScheduleLocalAsync(campaign, request.Date!, request.LocalTime!, request.FallbackTimezone!.Trim(), ct);
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is not scheduled.")]
    internal static Task<Ok<Campaign>> Unschedule(Guid id, UnitOfWork unitOfWork, CampaignSending sending, CampaignsStore store, CancellationToken ct) =>
        MoveAsync(id, CampaignStatuses.From.Unschedule, "unscheduled", unitOfWork, sending, c => store.UnscheduleAsync(c.Id, ct), ct);

    /// <summary>Stops sending: the pipeline claims no more of the campaign's emails (a batch in flight still goes).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is not sending.")]
    internal static Task<Ok<Campaign>> Pause(Guid id, UnitOfWork unitOfWork, CampaignSending sending, CampaignsStore store, TimeProvider clock,
        CancellationToken ct) =>
        MoveAsync(id, CampaignStatuses.From.Pause, "paused", unitOfWork, sending, c => store.PauseAsync(c.Id, clock.GetUtcNow(), ct), ct);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is not paused.")]
    internal static Task<Ok<Campaign>> Resume(Guid id, UnitOfWork unitOfWork, CampaignSending sending, CampaignsStore store, TimeProvider clock,
        CancellationToken ct) =>
        MoveAsync(id, CampaignStatuses.From.Resume, "resumed", unitOfWork, sending, c => store.ResumeAsync(c.Id, clock.GetUtcNow(), ct), ct);

    /// <summary>Cancels a scheduled, sending or paused campaign: its emails not sent yet are cancelled.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The campaign is a draft, sent or cancelled already.")]
    internal static async Task<Ok<Campaign>> Cancel(Guid id, UnitOfWork unitOfWork, CampaignSending sending, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () => await sending.CancelAsync(await sending.LockAsync(id, ct), ct), ct));

    /// <summary>Where the send stands; a sending campaign with nothing queued is marked sent by this call already.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<CampaignProgress>> Progress(Guid id, UnitOfWork unitOfWork, CampaignsStore store, CampaignJobsStore jobs,
        CampaignSending sending, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var campaign = await store.GetAsync(id, ct) ?? throw NotFound(id);
            if (await sending.CompleteIfDoneAsync(campaign, ct))
                campaign = (await store.GetAsync(id, ct))!;
            return await jobs.ProgressAsync(campaign, clock.GetUtcNow(), ct);
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<CampaignStats>> Stats(Guid id, UnitOfWork unitOfWork, CampaignsStore store, CampaignJobsStore jobs, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            _ = await store.GetAsync(id, ct) ?? throw NotFound(id);
            return await jobs.StatsAsync(id, ct);
        }, ct));

    static async Task<Campaign> EditAsync(Guid id, UnitOfWork unitOfWork, CampaignSending sending, Func<Task<Campaign>> edit, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(async () =>
        {
            CampaignSending.Require(await sending.LockAsync(id, ct), CampaignStatuses.From.Edit, "edited");
            return await edit();
        }, ct);

    static async Task<Ok<Campaign>> MoveAsync(Guid id, string[] from, string action, UnitOfWork unitOfWork, CampaignSending sending,
        Func<Campaign, Task<Campaign>> move, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var campaign = await sending.LockAsync(id, ct);
            CampaignSending.Require(campaign, from, action);
            return await move(campaign);
        }, ct));

    static Dictionary<string, string[]> Settings(CampaignSettingsRequest request, out CampaignSettings settings)
    {
        var errors = RequestLimits.Errors(request);
        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required"];
        var from = Address(request.FromEmail, "from_email", errors);
        var replyTo = Address(request.ReplyTo, "reply_to", errors);
        settings = new CampaignSettings(request.Name?.Trim() ?? "", from, Blank(request.FromName), replyTo, Blank(request.Subject), Blank(request.Preheader));
        return errors;
    }

    static string? Address(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text) || errors.ContainsKey(field))
            return null;
        if (EmailAddress.TryParse(text, out var address, out var problem))
            return address.Value;
        errors[field] = [problem];
        return null;
    }

    static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    static Dictionary<string, string[]> Audience(AudienceRequest request, out CampaignAudience audience)
    {
        var errors = RequestLimits.Errors(request);
        audience = new CampaignAudience([.. (request.IncludeSegments ?? []).Distinct()], [.. (request.ExcludeSegments ?? []).Distinct()],
            [.. (request.ContactIds ?? []).Distinct()], request.AllConsenting ?? false);
        if (errors.Count == 0 && !audience.IsDefined)
            errors["include_segments"] = ["choose at least one segment, contact_ids, or all_consenting"];
        return errors;
    }

    static string? UserOf(ClaimsPrincipal user) => user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);

    static NotFoundException NotFound(Guid id) => new($"Campaign {id} does not exist.");
}

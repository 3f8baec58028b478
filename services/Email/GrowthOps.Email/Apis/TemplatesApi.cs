using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using HandlebarsDotNet;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Email templates: CRUD, archive, duplicate, versions (every save of content is a new immutable version; a restore copies an
/// old one as the newest), preview with sample data or a contact, and a test send to an address (queued on lane 0).
/// </summary>
public static class TemplatesApi
{
    public const int MaxName = 200;
    public const int MaxDescription = 2000;
    public const int MaxSubject = 500;

    /// <summary>Characters of an HTML body: well above what mailbox providers show unclipped (Gmail clips at 102 KB).</summary>
    public const int MaxHtml = 1_000_000;

    public const int MaxText = 500_000;
    public const int MaxDesignBytes = 3 * 1024 * 1024;
    public const int MaxMergeFields = 200;
    public const int MaxMergeDepth = 8;
    public const int MaxMergeBytes = 64 * 1024;

    /// <summary>A request's body: the largest HTML, text and design together, as JSON (escapes make it larger than the text).</summary>
    public const long BodyLimit = 8 * 1024 * 1024;

    /// <summary>A test send is transactional: it reaches the address whatever its consent, but never a suppressed one.</summary>
    public const string TestSendCategory = "transactional";

    public sealed record TemplateVersions(Guid TemplateId, int Current, IReadOnlyList<TemplateVersionSummary> Items);

    public sealed record RenderedTemplate(Guid TemplateId, int Version, string Subject, string Html, string Text);

    public sealed record TestSendQueued(Guid MessageId, string To, Guid TemplateId, int Version, string Status);

    public static IHostApplicationBuilder AddTemplates(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TemplatesStore>();
        return builder;
    }

    public static RouteGroupBuilder MapTemplatesApi(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/templates").WithTags("Templates").WithMetadata(new RequestSizeLimitAttribute(BodyLimit));
        templates.MapGet("/", List);
        templates.MapPost("/", Create);
        templates.MapGet("/{id:guid}", Get);
        templates.MapPatch("/{id:guid}", Update);
        templates.MapDelete("/{id:guid}", Delete);
        templates.MapPost("/{id:guid}/archive", Archive);
        templates.MapPost("/{id:guid}/unarchive", Unarchive);
        templates.MapPost("/{id:guid}/duplicate", Duplicate);
        templates.MapGet("/{id:guid}/versions", ListVersions);
        templates.MapGet("/{id:guid}/versions/{version:int}", GetVersion);
        templates.MapPost("/{id:guid}/versions/{version:int}/restore", Restore);
        templates.MapPost("/{id:guid}/preview", Preview);
        templates.MapPost("/{id:guid}/test-send", TestSend);
        return api;
    }

    static async Task<Results<Ok<Page<TemplateSummary>>, ValidationProblem>> List([AsParameters] TemplatesQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, TemplatesStore store, CancellationToken ct)
    {
        if (query.Search is { Length: > MaxName })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["search"] = [$"is longer than {MaxName} characters"] });
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.ListAsync(query.Search, query.Archived ?? false, page, ct), ct));
    }

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A body does not compile (errors: field → \"line L, column C: why\") or is over its size limit.")]
    static async Task<Results<Created<Template>, ValidationProblem>> Create(TemplateRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        TemplatesStore store, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        Require(errors, "name", request.Name);
        Require(errors, "subject", request.Subject);
        Require(errors, "html", request.Html);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var content = Content(request, request.Subject!, request.Html!, request.Text, textGenerated: true, request.Design, renderer);
        var now = Now(clock);
        var template = new Template(Guid.CreateVersion7(), request.Name!.Trim(), request.Description, content.Subject, content.Html, content.Text,
            content.TextGenerated, content.Design, 1, false, Caller(user), now, now);
        await unitOfWork.InTransactionAsync(async () =>
        {
            await store.CreateAsync(template, ct);
            return true;
        }, ct);
        return TypedResults.Created($"/api/email/templates/{template.Id}", template);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Template>> Get(Guid id, UnitOfWork unitOfWork, TemplatesStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => Find(store, id, ct), ct));

    /// <summary>Name and description change in place; a change of subject, bodies or design is saved as the next version.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A body does not compile (errors: field → \"line L, column C: why\") or is over its size limit.")]
    static async Task<Results<Ok<Template>, ValidationProblem>> Update(Guid id, TemplateRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        TemplatesStore store, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new[] { ("name", request.Name), ("subject", request.Subject), ("html", request.Html) })
            if (value is not null)
                Require(errors, field, value);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        // Limits are checked before the template is read, so that nothing oversized waits on the row lock.
        LimitsOf(request);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var current = await Find(store, id, ct, forUpdate: true);
            var html = request.Html ?? current.Html;
            // A derived text follows the HTML; a given one stays until another is given (or "" asks to derive it again).
            var text = request.Text ?? (current.TextGenerated && request.Html is not null ? null : current.Text);
            var content = Content(request, request.Subject ?? current.Subject, html, text,
                textGenerated: request.Text is null && current.TextGenerated, request.Design ?? current.Design, renderer);
            var updated = current with
            {
                Name = request.Name?.Trim() ?? current.Name, Description = request.Description ?? current.Description, Subject = content.Subject,
                Html = content.Html, Text = content.Text, TextGenerated = content.TextGenerated, Design = content.Design,
                UpdatedAt = Now(clock),
            };
            var newContent = updated.Subject != current.Subject || updated.Html != current.Html || updated.Text != current.Text ||
                             !SameJson(updated.Design, current.Design);
            return await store.UpdateAsync(updated, newContent, restoredFrom: null, Caller(user), ct);
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "A campaign uses the template, or emails queued with it wait to be sent (campaigns, queued_emails).")]
    static async Task<NoContent> Delete(Guid id, UnitOfWork unitOfWork, TemplatesStore store, CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            // Locked first: a campaign that picks the template in the meantime waits, and is then refused by the missing template.
            await Find(store, id, ct, forUpdate: true);
            var (campaigns, queued) = await store.UsesAsync(id, ct);
            if (campaigns > 0 || queued > 0)
                throw new ConflictException(
                    $"Template {id} is in use ({campaigns} campaign(s), {queued} queued email(s)); archive it instead.",
                    new Dictionary<string, object?> { ["campaigns"] = campaigns, ["queued_emails"] = queued });
            await store.DeleteAsync(id, ct);
            return true;
        }, ct);
        return TypedResults.NoContent();
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<Template>> Archive(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, TemplatesStore store, TimeProvider clock, CancellationToken ct) =>
        SetArchived(id, true, user, unitOfWork, store, clock, ct);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<Template>> Unarchive(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, TemplatesStore store, TimeProvider clock, CancellationToken ct) =>
        SetArchived(id, false, user, unitOfWork, store, clock, ct);

    static async Task<Ok<Template>> SetArchived(Guid id, bool archived, ClaimsPrincipal user, UnitOfWork unitOfWork, TemplatesStore store,
        TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var template = await Find(store, id, ct, forUpdate: true);
            if (template.Archived == archived)
                return template;
            return await store.UpdateAsync(template with { Archived = archived, UpdatedAt = Now(clock) }, newContent: false,
                restoredFrom: null, Caller(user), ct);
        }, ct));

    /// <summary>A new template "… (copy)" with the current content (as its version 1) and design; not archived.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Created<Template>> Duplicate(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, TemplatesStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var copy = await unitOfWork.InTransactionAsync(async () =>
        {
            var source = await Find(store, id, ct);
            const string suffix = " (copy)";
            var now = Now(clock);
            var template = source with
            {
                Id = Guid.CreateVersion7(), Name = source.Name[..Math.Min(source.Name.Length, MaxName - suffix.Length)] + suffix, Version = 1,
                Archived = false, CreatedBy = Caller(user), CreatedAt = now, UpdatedAt = now,
            };
            await store.CreateAsync(template, ct);
            return template;
        }, ct);
        return TypedResults.Created($"/api/email/templates/{copy.Id}", copy);
    }

    /// <summary>Every version, newest first, without their bodies.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<TemplateVersions>> ListVersions(Guid id, UnitOfWork unitOfWork, TemplatesStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var template = await Find(store, id, ct);
            return new TemplateVersions(id, template.Version, await store.VersionsAsync(id, ct));
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<TemplateVersion>> GetVersion(Guid id, int version, UnitOfWork unitOfWork, TemplatesStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => FindVersion(store, id, version, ct), ct));

    /// <summary>The version's content (and design) saved again as the newest version; the versions in between stay.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Template>> Restore(Guid id, int version, ClaimsPrincipal user, UnitOfWork unitOfWork, TemplatesStore store, TimeProvider clock,
        CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var template = await Find(store, id, ct, forUpdate: true);
            var old = await FindVersion(store, id, version, ct);
            var restored = template with
            {
                Subject = old.Subject, Html = old.Html, Text = old.Text, TextGenerated = old.TextGenerated, Design = old.Design,
                UpdatedAt = Now(clock),
            };
            return await store.UpdateAsync(restored, newContent: true, restoredFrom: version, Caller(user), ct);
        }, ct));

    /// <summary>The subject, HTML and text as a recipient would get them (before the unsubscribe and tracking links are added).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The template, the version or the contact does not exist.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The template fails to render with this data.")]
    static async Task<Results<Ok<RenderedTemplate>, ValidationProblem>> Preview(Guid id, PreviewRequest request, UnitOfWork unitOfWork, TemplatesStore store,
        RecipientsReader recipients, TemplateRenderer renderer, CancellationToken ct)
    {
        if (RequestLimits.Errors(request) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var (version, model) = await unitOfWork.InTransactionAsync(() => Load(id, request.Version, request.ContactId, request.MergeData, store, recipients, ct), ct);
        return TypedResults.Ok(Render(version, model, renderer));
    }

    /// <summary>
    /// Queues the template (the version asked for, else the current one, fixed now) to the address as a transactional email on
    /// lane 0, with the merge fields of the preview; the sending pipeline renders and sends it.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The template, the version or the contact does not exist.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The template fails to render with this data.")]
    static async Task<Results<Accepted<TestSendQueued>, ValidationProblem>> TestSend(Guid id, TestSendRequest request, ClaimsPrincipal user,
        UnitOfWork unitOfWork, TemplatesStore store, RecipientsReader recipients, EmailJobsStore jobs, TemplateRenderer renderer, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        EmailAddress? to = null;
        if (!errors.ContainsKey("to") && !EmailAddress.TryParse(request.To, out to, out var problem))
            errors["to"] = [request.To is null ? "required" : problem];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var queued = await unitOfWork.InTransactionAsync(async () =>
        {
            var (version, model) = await Load(id, request.Version, request.ContactId, request.MergeData, store, recipients, ct);
            // Rendered once here so that data the template cannot render with is refused now, not failed later in the pipeline.
            Render(version, model, renderer);
            // The contact's fields travel as merge data: a test send is not an email to the contact, and none of its activity.
            // The address is the one tested unless the sample data names one.
            var mergeData = model.Where(p => p.Key != "email" || request.MergeData?.ContainsKey("email") == true)
                .ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value), StringComparer.Ordinal);
            var job = new NewEmailJob(Guid.CreateVersion7(), to!.Ascii, null, TestSendCategory, id, version.Version, null, null, null, mergeData, null, null,
                null, $"api:{Caller(user) ?? "unknown"}", null, false);
            var (messageId, _) = await jobs.EnqueueAsync(job, ct);
            return new TestSendQueued(messageId, to.Value, id, version.Version, "queued");
        }, ct);
        return TypedResults.Accepted((string?)null, queued);
    }

    static async Task<(TemplateVersion Version, Dictionary<string, object?> Model)> Load(Guid id, int? version, Guid? contactId,
        Dictionary<string, JsonElement>? mergeData, TemplatesStore store, RecipientsReader recipients, CancellationToken ct)
    {
        var template = await Find(store, id, ct);
        var content = await FindVersion(store, id, version ?? template.Version, ct);
        Recipient? recipient = null;
        if (contactId is { } contact)
            recipient = await recipients.GetAsync(contact, ct) ?? throw new NotFoundException($"Contact {contact} is not a recipient here (unknown, or deleted).");
        return (content, MergeFields.For(recipient, recipient?.Email ?? "", mergeData));
    }

    static RenderedTemplate Render(TemplateVersion version, Dictionary<string, object?> model, TemplateRenderer renderer)
    {
        try
        {
            return new RenderedTemplate(version.TemplateId, version.Version, renderer.RenderPlain(version.Subject, model), renderer.RenderHtml(version.Html, model),
                renderer.RenderPlain(version.Text ?? HtmlText.From(version.Html), model));
        }
        catch (HandlebarsException e)
        {
            throw new RuleRefusedException($"Version {version.Version} of the template does not render with this data: {TemplateSyntax.Clean(e.Message)}");
        }
    }

    sealed record CheckedContent(string Subject, string Html, string Text, bool TextGenerated, JsonElement? Design);

    /// <summary>
    /// The content to save, its text derived from the HTML when none is given; refused (422, every field that fails, with the
    /// line and column of each fault) when a body is over its limit or does not compile.
    /// </summary>
    static CheckedContent Content(TemplateRequest request, string subject, string html, string? text, bool textGenerated, JsonElement? design,
        TemplateRenderer renderer)
    {
        var errors = LimitsOf(request);
        if (string.IsNullOrEmpty(text))
        {
            text = HtmlText.From(html);
            textGenerated = true;
        }
        else
            textGenerated = request.Text is null && textGenerated;

        foreach (var (field, source) in new[] { ("subject", subject), ("html", html), ("text", text) })
            if (renderer.Validate(source) is { Count: > 0 } faults)
                errors[field] = faults.Select(f => field == "text" && textGenerated ? $"{f} (in the text derived from the HTML; give a text body)" : f.ToString())
                    .ToArray();
        if (errors.Count > 0)
            throw Refused(errors);
        return new CheckedContent(subject, html, text, textGenerated, design);
    }

    /// <summary>Size limits: a field over one makes the template unprocessable (422), as a body that does not compile does.</summary>
    static Dictionary<string, string[]> LimitsOf(TemplateRequest request)
    {
        var errors = RequestLimits.Errors(request);
        if (request.Design is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            errors["design"] = ["must be the editor's design object"];
        return errors.Count > 0 ? throw Refused(errors) : errors;
    }

    static RuleRefusedException Refused(Dictionary<string, string[]> errors) =>
        new($"The template cannot be saved: {string.Join("; ", errors.Select(e => $"{e.Key} {e.Value[0]}"))}.",
            new Dictionary<string, object?> { ["errors"] = errors });

    static void Require(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors[field] = ["required, not blank"];
    }

    static bool SameJson(JsonElement? a, JsonElement? b) =>
        a is null ? b is null : b is not null && a.Value.GetRawText() == b.Value.GetRawText();

    /// <summary>Now, to the microsecond PostgreSQL keeps, so that an answer and a later read of the same row agree.</summary>
    static DateTime Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }

    static string? Caller(ClaimsPrincipal user) => user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);

    static async Task<Template> Find(TemplatesStore store, Guid id, CancellationToken ct, bool forUpdate = false) =>
        await store.GetAsync(id, ct, forUpdate) ?? throw new NotFoundException($"Template {id} does not exist.");

    static async Task<TemplateVersion> FindVersion(TemplatesStore store, Guid id, int version, CancellationToken ct) =>
        await store.VersionAsync(id, version, ct) ?? throw new NotFoundException($"Template {id} has no version {version}.");
}

using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using HandlebarsDotNet;

namespace GrowthOps.Email.Domain.Transactional;

/// <summary>
/// Queues one transactional send in the open unit of work (lane 0, ahead of every broadcast): resolves the recipient from the
/// read model, checks that the content exists and renders, and queues it under its idempotency key — once, ever. The API and
/// the <c>SendEmail</c> consumer share it; each answers a refusal its own way.
/// </summary>
public sealed class TransactionalSender(EmailJobsStore jobs, MessagesStore messages, RecipientsReader recipients, TemplateRenderer renderer,
    ILogger<TransactionalSender> logger)
{
    /// <summary>Queues the send; the request's shape must have been checked (<see cref="SendRequest.Errors"/>).</summary>
    public async Task<QueueOutcome> SendAsync(SendRequest request, CancellationToken ct)
    {
        var key = request.IdempotencyKey!;
        // A repeat is answered from the key alone, before the recipient or template are read again: they may have changed since.
        if (await messages.IdOfKeyAsync(key, ct) is { } existing)
            return QueueOutcome.Existing(existing, await messages.SameContentAsync(existing, AsAsked(request), ct));

        var (recipient, address, refusal) = await ResolveAsync(request, ct);
        if (refusal is not null)
            return QueueOutcome.Refused(refusal);

        var (content, version, contentRefusal) = await ContentAsync(request, ct);
        if (contentRefusal is not null)
            return QueueOutcome.Refused(contentRefusal);
        var model = MergeFields.For(recipient, address!, request.MergeData);
        try
        {
            renderer.RenderPlain(content!.Subject, model);
            renderer.RenderHtml(content.Html, model);
            if (content.Text is { } text)
                renderer.RenderPlain(text, model);
        }
        catch (HandlebarsException e)
        {
            return QueueOutcome.Refused(new SendRefusal("render_failed", "template_error", $"The content does not render: {e.Message}"));
        }

        var job = ToJob(request, address!, recipient?.ContactId, version);
        var (id, created) = await jobs.EnqueueAsync(job, ct);
        if (!created)
            // A concurrent request with the key committed first (the insert waited for it).
            return QueueOutcome.Existing(id, await messages.SameContentAsync(id, AsAsked(request), ct));
        if (request.DryRun)
            logger.LogInformation("Dry run {MessageId} queued for {To} (key {IdempotencyKey}, requested by {RequestedBy}): it is rendered and recorded, never sent",
                id, address, key, request.RequestedBy);
        return QueueOutcome.Queued(id);
    }

    /// <summary>The job a refused request is recorded as (no address: an empty one), so a repeat of the command is known.</summary>
    public static NewEmailJob Refused(SendRequest request) =>
        // A category the schema does not know (the refusal may be about it) is recorded as the default; the error says what was asked.
        ToJob(request with { Category = EmailCategories.All.Contains(request.CategoryOrDefault) ? request.Category : null }, request.To ?? "",
            request.ContactId, request.TemplateVersion);

    async Task<(Recipient? Recipient, string? Address, SendRefusal? Refusal)> ResolveAsync(SendRequest request, CancellationToken ct)
    {
        if (request.ContactId is { } contactId)
        {
            var contact = await recipients.GetAsync(contactId, ct);
            if (contact is null)
                return (null, null, new SendRefusal("no_address", "unknown_contact", $"Contact {contactId} is not a recipient here (unknown, or deleted).", NotFound: true));
            var address = request.To?.Trim() ?? contact.Email;
            if (string.IsNullOrWhiteSpace(address))
                return (null, null, new SendRefusal("no_address", "no_email", $"Contact {contactId} has no email address."));
            return (contact, address, null);
        }

        var to = request.To!.Trim();
        return (await recipients.FindByEmailAsync(to, ct), to, null);
    }

    async Task<(TemplateContent? Content, int? Version, SendRefusal? Refusal)> ContentAsync(SendRequest request, CancellationToken ct)
    {
        if (request.TemplateId is not { } templateId)
            return (new TemplateContent(Guid.Empty, 0, request.Subject!, request.Html!, request.Text, false), null, null);
        var template = await messages.TemplateAsync(templateId, request.TemplateVersion, ct);
        if (template is null)
            return (null, null, new SendRefusal("render_failed", "unknown_template", request.TemplateVersion is { } v
                ? $"Template {templateId} has no version {v}."
                : $"Template {templateId} does not exist.", NotFound: true));
        if (template.Archived)
            return (null, null, new SendRefusal("render_failed", "archived_template", $"Template {templateId} is archived; unarchive it or use another."));
        return (template, template.Version, null);
    }

    /// <summary>The request as a job for comparison with the one holding its key: the recipient as given, not as resolved.</summary>
    static NewEmailJob AsAsked(SendRequest request) => ToJob(request, request.To?.Trim() ?? "", request.ContactId, request.TemplateVersion);

    static NewEmailJob ToJob(SendRequest request, string address, Guid? contactId, int? templateVersion) => new(
        Guid.CreateVersion7(), address, contactId, request.CategoryOrDefault, request.TemplateId, templateVersion, request.Subject, request.Html,
        request.Text, request.MergeData, request.From?.Trim(), request.ReplyTo?.Trim(), request.IdempotencyKey, request.RequestedBy,
        request.CorrelationId, request.DryRun);
}

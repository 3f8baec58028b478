using System.Text.Json;
using GrowthOps.Contracts.Email;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// Sends one batch of one tenant's due email, in one transaction: claim (rows locked), gate, render, decorate, throttle,
/// send, record every email's outcome and publish its events (outbox), commit. A process that dies anywhere before the
/// commit leaves the rows queued as they were, so the batch is sent again: nothing is lost and at most that one batch is
/// sent twice. The send and the recording are not cancelled by shutdown: a batch in flight is finished and recorded.
/// </summary>
public sealed class BatchSender(
    UnitOfWork unitOfWork,
    SendingStore store,
    IEmailProviderResolver providers,
    IEnumerable<IEmailDecorator> decorators,
    TemplateRenderer renderer,
    SendThrottle throttle,
    IPublishEndpoint publish,
    TimeProvider clock,
    IOptions<SendingOptions> options,
    ILogger<BatchSender> logger)
{
    readonly IEmailDecorator[] decorators = decorators.ToArray();

    /// <summary>Sends up to a batch of <paramref name="tenantId"/>'s due email of <paramref name="lane"/>; returns how many it claimed.</summary>
    public async Task<int> SendAsync(Guid tenantId, short lane, CancellationToken ct)
    {
        var o = options.Value;
        var step = System.Diagnostics.Stopwatch.GetTimestamp();
        await unitOfWork.BeginAsync(tenantId, ct);
        try
        {
            var claimed = await store.ClaimAsync(lane, Math.Min(o.BatchSize, throttle.LargestBatch), ct);
            if (claimed.Count == 0)
            {
                await unitOfWork.RollbackAsync();
                return 0;
            }
            step = SendingMetrics.Step("claim", lane, step);

            var results = new List<SendResult>(claimed.Count);
            var outgoing = new List<(ClaimedEmail Job, OutgoingEmail Email)>(claimed.Count);
            var templates = await store.TemplatesAsync(claimed.Where(c => c.TemplateId is not null).Select(c => (c.TemplateId!.Value, c.TemplateVersion)), ct);
            var compiled = new Dictionary<string, Func<object, string>>();
            var subjects = new Dictionary<Guid, string>();
            foreach (var job in claimed)
            {
                if (Gate(job) is { } refused)
                {
                    results.Add(refused);
                    continue;
                }
                if (Render(job, templates, compiled) is not { } email)
                {
                    results.Add(new SendResult(job.Id, "failed", null, null, "render_failed", "the template could not be rendered", null, false));
                    continue;
                }
                foreach (var decorator in decorators)
                    decorator.Decorate(email);
                subjects[job.Id] = email.Subject;
                if (job.DryRun)
                {
                    logger.LogInformation("Dry run: email {MessageId} to {To} with subject {Subject} rendered, not sent", job.Id, job.ToEmail, email.Subject);
                    results.Add(new SendResult(job.Id, "dry_run", "dry_run", null, null, null, null, false));
                    continue;
                }
                outgoing.Add((job, email));
            }

            step = SendingMetrics.Step("render", lane, step);
            var provider = outgoing.Count > 0 ? await providers.ResolveAsync(tenantId, ct) : null;
            if (provider is not null)
                results.AddRange(await DeliverAsync(provider, outgoing, o, lane));
            step = SendingMetrics.Step("send", lane, step);

            await store.RecordAsync(results, CancellationToken.None);
            step = SendingMetrics.Step("record", lane, step);
            await PublishAsync(tenantId, claimed, subjects, results, provider?.Name);
            step = SendingMetrics.Step("publish", lane, step);
            await unitOfWork.CommitAsync(CancellationToken.None);
            SendingMetrics.Step("commit", lane, step);
            foreach (var status in results.GroupBy(r => r.Status))
                SendingMetrics.Outcome(status.Key, lane, status.Count());
            return claimed.Count;
        }
        catch
        {
            if (unitOfWork.IsActive)
                await unitOfWork.RollbackAsync();
            throw;
        }
    }

    /// <summary>Suppressed addresses and marketing without consent go nowhere (strictly transactional email always goes).</summary>
    static SendResult? Gate(ClaimedEmail job)
    {
        if (string.IsNullOrWhiteSpace(job.ToEmail))
            return new SendResult(job.Id, "failed", null, null, "no_address", "the email has no address", null, false);
        if (job.Suppressed)
            return new SendResult(job.Id, "suppressed", null, null, "suppressed", "the address is on the suppression list", null, false);
        if (job.NoConsent)
            return new SendResult(job.Id, "suppressed", null, null, "no_consent", "the contact has not consented to marketing email", null, false);
        return null;
    }

    OutgoingEmail? Render(ClaimedEmail job, IReadOnlyDictionary<(Guid, int?), TemplateContent> templates, Dictionary<string, Func<object, string>> compiled)
    {
        string? subject = job.Subject, html = job.Html, text = job.Text;
        if (job.TemplateId is { } templateId)
        {
            if (!templates.TryGetValue((templateId, job.TemplateVersion), out var content))
                return null;
            subject ??= content.Subject;
            html ??= content.Html;
            text ??= content.Text;
        }
        if (subject is null || html is null)
            return null;
        try
        {
            var recipient = job.RecipientEmail is null && job.ContactId is null ? null
                : new Recipient(job.ContactId ?? Guid.Empty, job.RecipientEmail, job.FirstName, job.LastName, job.Company, job.Phone, job.Timezone,
                    job.MarketingConsent ?? false,
                    job.Attributes is null ? new Dictionary<string, JsonElement>() : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(job.Attributes)!);
            var model = MergeFields.For(recipient, job.ToEmail, job.MergeValues);
            var renderedHtml = Compiled(compiled, "h", html, renderer.CompileHtml)(model);
            var from = job.FromEmail ?? options.Value.DefaultFrom;
            return new OutgoingEmail
            {
                TenantId = unitOfWork.TenantId!.Value,
                MessageId = job.Id,
                CampaignId = job.CampaignId,
                ContactId = job.ContactId,
                Category = job.Category,
                From = string.IsNullOrWhiteSpace(job.FromName) ? from : $"\"{job.FromName.Replace("\"", "", StringComparison.Ordinal)}\" <{from}>",
                ReplyTo = job.ReplyTo,
                To = job.ToEmail,
                Subject = Compiled(compiled, "p", subject, renderer.CompilePlain)(model),
                Html = renderedHtml,
                Text = text is null ? HtmlText.From(renderedHtml) : Compiled(compiled, "p", text, renderer.CompilePlain)(model),
                Tag = job.CampaignName,
            };
        }
        catch (Exception e) when (e is HandlebarsDotNet.HandlebarsException or JsonException or FormatException)
        {
            logger.LogWarning(e, "Email {MessageId} could not be rendered", job.Id);
            return null;
        }
    }

    static Func<object, string> Compiled(Dictionary<string, Func<object, string>> cache, string kind, string source, Func<string, Func<object, string>> compile)
    {
        var key = kind + source;
        if (!cache.TryGetValue(key, out var template))
            cache[key] = template = compile(source);
        return template;
    }

    async Task<IEnumerable<SendResult>> DeliverAsync(IEmailProvider provider, List<(ClaimedEmail Job, OutgoingEmail Email)> outgoing, SendingOptions o,
        short lane)
    {
        var emails = outgoing.Select(x => x.Email).ToList();
        var waited = System.Diagnostics.Stopwatch.GetTimestamp();
        await throttle.WaitAsync(provider.Name, emails, CancellationToken.None);
        SendingMetrics.Step("throttle", lane, waited);
        IReadOnlyList<SendOutcome> outcomes;
        try
        {
            outcomes = await provider.SendAsync(emails, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Provider {Provider} failed a batch of {Count}", provider.Name, emails.Count);
            outcomes = emails.Select(m => SendOutcome.Transient(m.MessageId, "provider_error", e.Message)).ToList();
        }

        var byId = outcomes.ToDictionary(r => r.MessageId);
        var now = clock.GetUtcNow();
        return outgoing.Select(x =>
        {
            var outcome = byId.GetValueOrDefault(x.Job.Id) ?? SendOutcome.Transient(x.Job.Id, "no_answer", "the provider said nothing of this email");
            return outcome.Status switch
            {
                SendStatus.Sent => new SendResult(x.Job.Id, "sent", provider.Name, outcome.ProviderMessageId, null, null, null, true),
                SendStatus.Permanent => new SendResult(x.Job.Id, "failed", provider.Name, null, outcome.ErrorCode, outcome.Error, null, true),
                _ when x.Job.Attempts + 1 >= o.MaxAttempts => new SendResult(x.Job.Id, "failed", provider.Name, null, "gave_up",
                    $"{o.MaxAttempts} attempts failed; last: {outcome.ErrorCode} {outcome.Error}", null, true),
                _ => new SendResult(x.Job.Id, "queued", provider.Name, null, outcome.ErrorCode, outcome.Error, now + Backoff(x.Job.Attempts, o), true),
            };
        });
    }

    /// <summary>Doubling from the base delay, at most the maximum, ±20 % so that a failed batch's emails do not all return together.</summary>
    static TimeSpan Backoff(int attempts, SendingOptions o)
    {
        var delay = Math.Min(o.RetryMaxDelay.TotalMilliseconds, o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts, 30)));
        return TimeSpan.FromMilliseconds(delay * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    async Task PublishAsync(Guid tenantId, IReadOnlyList<ClaimedEmail> claimed, Dictionary<Guid, string> subjects, List<SendResult> results,
        string? providerName)
    {
        var jobs = claimed.ToDictionary(c => c.Id);
        var now = clock.GetUtcNow();
        foreach (var r in results)
        {
            var job = jobs[r.Id];
            if (job.Lane == 0 && r.Status is "sent" or "dry_run")
                await publish.Publish(new EmailSent(tenantId, job.Id, job.ContactId, job.ToEmail, job.CampaignId, job.IdempotencyKey, job.CorrelationId,
                    r.Provider ?? providerName ?? "none", r.ProviderMessageId, subjects.GetValueOrDefault(job.Id, job.Subject ?? ""), r.Status == "dry_run", now));
            else if (r.Status is "failed" || (r.Status is "suppressed" && job.Lane == 0))
                await publish.Publish(new EmailFailed(tenantId, job.Id, job.ContactId, job.ToEmail, job.CampaignId, job.IdempotencyKey, job.CorrelationId,
                    r.Status == "suppressed" ? r.ErrorCode! : FailureReason(r), r.ErrorCode, r.Error, now));
        }
        foreach (var campaign in results.Where(r => r.Status == "sent" && jobs[r.Id].CampaignId is not null).GroupBy(r => jobs[r.Id].CampaignId!.Value))
            await publish.Publish(new EmailBatchSent(tenantId, campaign.Key,
                campaign.Select(r => new SentEmail(r.Id, jobs[r.Id].ContactId, jobs[r.Id].ToEmail, r.ProviderMessageId)).ToList(), now));
    }

    static string FailureReason(SendResult r) => r.ErrorCode switch
    {
        "render_failed" or "no_address" or "gave_up" => r.ErrorCode,
        _ => "rejected",
    };
}

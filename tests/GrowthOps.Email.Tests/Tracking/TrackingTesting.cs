using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GrowthOps.Email.Domain.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Tracking;

/// <summary>Sent emails to track, signed links, and a client that calls the webhooks as Postmark does (basic auth from the URL).</summary>
public static class TrackingTesting
{
    /// <summary>An email as the pipeline leaves it once the provider accepted it (sent an hour ago unless told).</summary>
    public static async Task<Guid> SentEmailAsync(this EmailApp app, Guid tenant, Guid? contactId = null, string? to = null, Guid? campaignId = null,
        DateTimeOffset? sentAt = null, string? providerMessageId = null)
    {
        var id = Guid.NewGuid();
        await app.Database.ScalarAsync<int>("""
            insert into email.email_jobs (tenant_id, id, lane, campaign_id, contact_id, to_email, category, status, sent_at, provider, provider_message_id, subject)
            values ($1, $2, $3, $4, $5, $6, 'marketing', 'sent', $7, 'postmark', $8, 'Spring news') returning 1
            """, tenant, id, (short)(campaignId is null ? 0 : 1), (object?)campaignId ?? DBNull.Value, (object?)contactId ?? DBNull.Value,
            to ?? MailCatcher.Address(), (sentAt ?? DateTimeOffset.UtcNow.AddHours(-1)).UtcDateTime, (object?)providerMessageId ?? DBNull.Value);
        return id;
    }

    public static TrackingToken Tokens(this EmailApp app) => app.Services.GetRequiredService<TrackingToken>();

    public static string OpenPath(this EmailApp app, Guid tenant, Guid message) => $"/t/o/{app.Tokens().ForOpen(tenant, message)}.gif";

    public static string ClickPath(this EmailApp app, Guid tenant, Guid message, string url) => $"/t/c/{app.Tokens().ForClick(tenant, message, url)}";

    public static Task<long> EventsAsync(this EmailApp app, Guid message, string type) =>
        app.Database.ScalarAsync<long>("select count(*) from email.events where message_id = $1 and type = $2", message, type);

    public static Task<string?> SuppressionAsync(this EmailApp app, Guid tenant, string email) =>
        app.Database.ScalarAsync<string?>("select reason from email.suppressions where tenant_id = $1 and email = lower($2)", tenant, email);

    /// <summary>Sets the tenant's webhook credentials and returns a client that sends them as Postmark does, with the URLs it was given.</summary>
    public static async Task<(HttpClient Client, string WebhookPath, string InboundPath)> PostmarkAsync(this EmailApp app, Guid tenant)
    {
        var settings = await app.ClientFor(tenant).PutJson("/api/email/webhooks/postmark", "{}", HttpStatusCode.OK);
        var url = new Uri(settings.GetProperty("webhook_url").GetString()!);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Basic(Uri.UnescapeDataString(url.UserInfo));
        return (client, url.AbsolutePath, new Uri(settings.GetProperty("inbound_url").GetString()!).AbsolutePath);
    }

    public static AuthenticationHeaderValue Basic(string userInfo) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
}

using System.Net;
using System.Text.Json;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>What the transactional tests do again and again: a template in place, a send, the queued rows.</summary>
public static class TransactionalCalls
{
    /// <summary>A template at version 1 (as the templates part stores one: the draft and its version row), written directly.</summary>
    public static async Task<Guid> Template(this EmailApp app, Guid tenant, string subject = "Hello {{first_name}}",
        string html = "<p>Hi {{first_name}} of {{company}}</p>", string? text = null, bool archived = false)
    {
        var id = Guid.NewGuid();
        await app.Database.ScalarAsync<int>("""
            with t as (insert into email.templates (tenant_id, id, name, subject, html, text, archived) values ($1, $2, 'T', $3, $4, $5, $6) returning 1)
            insert into email.template_versions (tenant_id, template_id, version, subject, html, text) select $1, $2, 1, $3, $4, $5 from t returning 1
            """, tenant, id, subject, html, (object?)text ?? DBNull.Value, archived);
        return id;
    }

    public static string Key() => $"key-{Guid.NewGuid():N}";

    /// <summary>An inline send's JSON to <paramref name="to"/> with <paramref name="extra"/> members (JSON text, no braces) appended.</summary>
    public static string Inline(string key, string to, string extra = "") =>
        $$$"""{"idempotency_key": "{{{key}}}", "to": "{{{to}}}", "subject": "Your receipt", "html": "<p>Thanks {{first_name}}</p>"{{{(extra.Length > 0 ? ", " + extra : "")}}}}""";

    public static Task<JsonElement> Send(this HttpClient client, string json, HttpStatusCode expected = HttpStatusCode.Created) =>
        client.PostJson("/api/email/messages", json, expected);

    public static Task<long> JobsWithKey(this EmailApp app, Guid tenant, string key) =>
        app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where tenant_id = $1 and idempotency_key = $2", tenant, key);

    public static Task<string> JobColumn(this EmailApp app, Guid id, string column) =>
        app.Database.ScalarAsync<string>($"select {column}::text from email.email_jobs where id = $1", id);
}

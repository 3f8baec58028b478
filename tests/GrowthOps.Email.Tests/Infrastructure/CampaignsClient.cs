using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Segments;
using Npgsql;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>What campaign tests do again and again: a template, a segment, a campaign ready to send, raw rows.</summary>
public static class CampaignsClient
{
    /// <summary>A template at version 1 as the templates part writes it (the template's row and its version 1); returns its id.</summary>
    public static async Task<Guid> TemplateAsync(this EmailApp app, Guid tenant, string subject = "Hello {{first_name}}",
        string html = "<p>Hi {{first_name}} of {{company}}</p>", string? text = "Hi {{first_name}}")
    {
        var id = Guid.NewGuid();
        await app.ExecuteAsync("insert into email.templates (tenant_id, id, name, subject, html, text, version) values ($1, $2, 'Newsletter', $3, $4, $5, 1)",
            tenant, id, subject, html, text);
        await app.ExecuteAsync("insert into email.template_versions (tenant_id, template_id, version, subject, html, text) values ($1, $2, 1, $3, $4, $5)",
            tenant, id, subject, html, text);
        return id;
    }

    /// <summary>Makes the contacts members of a segment as Segments announces it, and waits until Email's read model has them.</summary>
    public static async Task<Guid> SegmentAsync(this EmailApp app, Guid tenant, params Guid[] members)
    {
        var segment = Guid.NewGuid();
        await app.Bus.Bus.Publish(new SegmentMembershipBatchChanged(tenant, segment, "Segment", Guid.NewGuid(), 1, 1, members, [], "created",
            DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from email.segment_members where segment_id = $1 and member", segment),
            n => n == members.Length, TimeSpan.FromSeconds(30), "Email's read model holds the segment's members");
        return segment;
    }

    public static Task SuppressAsync(this EmailApp app, Guid tenant, string email) =>
        app.ExecuteAsync("insert into email.suppressions (tenant_id, email, reason) values ($1, lower($2), 'manual')", tenant, email);

    /// <summary>A campaign with settings, the audience and the template: ready to send or schedule.</summary>
    public static async Task<Guid> ReadyCampaignAsync(this HttpClient client, Guid templateId, string audienceJson, string name = "December news")
    {
        var id = (await client.PostJson("/api/email/campaigns",
            $$"""{"name":"{{name}}","from_email":"news@growthops.example","from_name":"GrowthOps","subject":"News for {{"{{first_name}}"}}"}""",
            HttpStatusCode.Created)).Id();
        await client.PutJson($"/api/email/campaigns/{id}/audience", audienceJson, HttpStatusCode.OK);
        await client.PutJson($"/api/email/campaigns/{id}/design", $$"""{"template_id":"{{templateId}}"}""", HttpStatusCode.OK);
        return id;
    }

    /// <summary>Runs SQL as the database's owner (row-level security does not apply): test data and what the pipeline would write.</summary>
    public static async Task<int> ExecuteAsync(this EmailApp app, string sql, params object?[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync();
    }

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    public static string? Str(this JsonElement e, string name) => e.GetProperty(name).GetString();
}

using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>The seed's wizard: settings → audience → design → review → send, and what a campaign refuses along the way.</summary>
public sealed class Building_a_campaign_with_the_wizard(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Walks_from_settings_to_a_review_with_a_preview_and_sends_one_email_per_recipient()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (grace, alan) = (EmailClient.Contact(firstName: "Grace", company: "Navy"), EmailClient.Contact(firstName: "Alan", company: "Bletchley"));
        await app.Contacts(tenant, grace, alan);
        var segment = await app.SegmentAsync(tenant, grace.Id, alan.Id);
        var template = await app.TemplateAsync(tenant);

        var created = await client.PostJson("/api/email/campaigns", """{"name":"December news","preheader":"Our year"}""", HttpStatusCode.Created);
        var id = created.Id();
        Assert.Equal("draft", created.Str("status"));
        var review = await client.GetJson($"/api/email/campaigns/{id}/review");
        Assert.False(review.GetProperty("ready").GetBoolean());
        Assert.Equal("no_template,no_from_email,no_audience",
            string.Join(',', review.GetProperty("problems").EnumerateArray().Select(p => p.Str("code"))));

        await client.PutJson($"/api/email/campaigns/{id}/settings",
            """{"name":"December news","from_email":"news@growthops.example","from_name":"GrowthOps","reply_to":"team@growthops.example","subject":"{{first_name}}, our year","preheader":"Our year"}""",
            HttpStatusCode.OK);
        await client.PutJson($"/api/email/campaigns/{id}/audience", $$"""{"include_segments":["{{segment}}"]}""", HttpStatusCode.OK);
        var designed = await client.PutJson($"/api/email/campaigns/{id}/design", $$"""{"template_id":"{{template}}"}""", HttpStatusCode.OK);
        Assert.Equal(template, designed.GetProperty("template_id").GetGuid());

        review = await client.GetJson($"/api/email/campaigns/{id}/review?contact_id={grace.Id}");
        Assert.True(review.GetProperty("ready").GetBoolean(), review.ToString());
        Assert.Equal(2, review.GetProperty("counts").Int("sendable"));
        var preview = review.GetProperty("preview");
        Assert.Equal("Grace, our year", preview.Str("subject"));
        Assert.Equal("<p>Hi Grace of Navy</p>", preview.Str("html"));
        Assert.Equal("Hi Grace", preview.Str("text"));
        Assert.Equal(1, preview.Int("template_version"));

        var sending = await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);
        Assert.Equal("sending", sending.Str("status"));
        Assert.Equal(2, sending.Int("recipients_total"));
        Assert.Equal(1, sending.Int("pinned_template_version"));
        Assert.Equal(2, await app.Database.ScalarAsync<long>("""
            select count(*) from email.email_jobs
             where campaign_id = $1 and lane = 1 and category = 'marketing' and status = 'queued' and template_id = $2 and template_version = 1
               and subject = '{{first_name}}, our year' and from_email = 'news@growthops.example' and reply_to = 'team@growthops.example'
               and merge_data ->> 'preheader' = 'Our year' and not_before <= now()
            """, id, template));
        Assert.Equal(grace.Email, await app.Database.ScalarAsync<string>(
            "select to_email from email.email_jobs where campaign_id = $1 and contact_id = $2", id, grace.Id));

        // A sent campaign is not sent, edited or deleted again.
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.Conflict);
        await client.PutJson($"/api/email/campaigns/{id}/audience", """{"all_consenting":true}""", HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync($"/api/email/campaigns/{id}")).StatusCode);
        Assert.Equal(2, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", id));
    }

    [Fact]
    public async Task Lists_by_status_a_page_at_a_time_duplicates_into_a_draft_and_deletes_only_drafts()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var template = await app.TemplateAsync(tenant);
        var sent = await client.ReadyCampaignAsync(template, $$"""{"contact_ids":["{{contact.Id}}"]}""", "First");
        await client.PostJson($"/api/email/campaigns/{sent}/send", "", HttpStatusCode.OK);
        var drafts = new List<Guid>();
        for (var i = 0; i < 3; i++)
            drafts.Add((await client.PostJson("/api/email/campaigns", $$"""{"name":"Draft {{i}}"}""", HttpStatusCode.Created)).Id());

        var first = await client.GetJson("/api/email/campaigns?status=draft&limit=2");
        Assert.Equal([drafts[2], drafts[1]], first.Items().Select(c => c.Id()).ToArray());
        var second = await client.GetJson($"/api/email/campaigns?status=draft&limit=2&cursor={first.Str("next_cursor")}");
        Assert.Equal([drafts[0]], second.Items().Select(c => c.Id()).ToArray());
        Assert.Equal(JsonValueKindNull, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal([sent], (await client.GetJson("/api/email/campaigns?status=sending")).Items().Select(c => c.Id()).ToArray());
        await client.GetJson("/api/email/campaigns?status=flying", HttpStatusCode.BadRequest);

        var copy = await client.PostJson($"/api/email/campaigns/{sent}/duplicate", "", HttpStatusCode.Created);
        Assert.Equal("draft", copy.Str("status"));
        Assert.Equal("First (copy)", copy.Str("name"));
        Assert.Equal(contact.Id, copy.GetProperty("audience").GetProperty("contact_ids")[0].GetGuid());
        Assert.Equal(template, copy.GetProperty("template_id").GetGuid());
        Assert.Equal(0, copy.Int("recipients_total"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/email/campaigns/{copy.Id()}")).StatusCode);
        await client.GetJson($"/api/email/campaigns/{copy.Id()}", HttpStatusCode.NotFound);
        // Another tenant sees none of them.
        await app.ClientFor(Guid.NewGuid()).GetJson($"/api/email/campaigns/{sent}", HttpStatusCode.NotFound);
        Assert.Empty((await app.ClientFor(Guid.NewGuid()).GetJson("/api/email/campaigns")).Items());
    }

    [Fact]
    public async Task Refuses_bad_settings_an_unknown_template_and_a_send_that_is_not_ready_without_writing_anything()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var bad = await client.PostJson("/api/email/campaigns", """{"name":" ","from_email":"not an address"}""", HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("from_email", out _));

        var id = (await client.PostJson("/api/email/campaigns", """{"name":"Not ready"}""", HttpStatusCode.Created)).Id();
        await client.PutJson($"/api/email/campaigns/{id}/design", $$"""{"template_id":"{{Guid.NewGuid()}}"}""", HttpStatusCode.BadRequest);
        await client.PutJson($"/api/email/campaigns/{id}/audience", $$"""{"exclude_segments":["{{Guid.NewGuid()}}"]}""", HttpStatusCode.BadRequest);
        var refused = await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no_template", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal("draft", (await client.GetJson($"/api/email/campaigns/{id}")).Str("status"));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", id));
        await client.PostJson($"/api/email/campaigns/{Guid.NewGuid()}/send", "", HttpStatusCode.NotFound);
    }

    const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

using System.Net;
using System.Text.Json;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;

namespace GrowthOps.Email.Tests.Apis;

/// <summary>A template rendered as a recipient would get it (preview), and queued to an address (test send).</summary>
public sealed class Previewing_and_test_sending_templates(HeldEmailApp app) : IClassFixture<HeldEmailApp>
{
    const string Path = TemplatesCalls.Path;

    const string Html = """
        <p>Hi {{default first_name "there"}},</p>{{#if company}}<p>How is {{company}}?</p>{{/if}}<p>Order {{order.id}}: {{order.total}}</p>
        """;

    [Fact]
    public async Task A_preview_with_sample_data_escapes_the_html_only_and_fills_defaults_and_conditionals()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var template = await client.CreateTemplate(subject: "{{default first_name \"Friend\"}}, about {{company}}", html: Html);

        var withData = await client.PostJson($"{Path}/{template.Id()}/preview",
            """{"merge_data": {"first_name": "Ada", "company": "Smith & Sons", "order": {"id": 42, "total": 12.50}}}""", HttpStatusCode.OK);
        Assert.Equal("Ada, about Smith & Sons", withData.Text("subject"));
        Assert.Contains("<p>How is Smith &amp; Sons?</p><p>Order 42: 12.50</p>", withData.Text("html"), StringComparison.Ordinal);
        Assert.Equal("Hi Ada,\n\nHow is Smith & Sons?\n\nOrder 42: 12.50", withData.Text("text"));
        Assert.Equal(1, withData.GetProperty("version").GetInt32());

        var empty = await client.PostJson($"{Path}/{template.Id()}/preview", "{}", HttpStatusCode.OK);
        Assert.Equal("Friend, about ", empty.Text("subject"));
        Assert.Equal("Hi there,\n\nOrder : ", empty.Text("text"));
    }

    [Fact]
    public async Task A_preview_for_a_contact_uses_its_fields_and_the_sample_data_wins()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = EmailClient.Contact(firstName: "Grace", company: "Navy");
        await app.Contacts(tenant, contact);
        var template = await client.CreateTemplate(subject: "For {{first_name}} at {{company}} <{{email}}>", html: Html);

        var preview = await client.PostJson($"{Path}/{template.Id()}/preview", $$$"""{"contact_id": "{{{contact.Id}}}", "merge_data": {"company": "Yale"}}""",
            HttpStatusCode.OK);

        Assert.Equal($"For Grace at Yale <{contact.Email}>", preview.Text("subject"));
        await client.PostJson($"{Path}/{template.Id()}/preview", $$"""{"contact_id": "{{Guid.NewGuid()}}"}""", HttpStatusCode.NotFound);
        // Another tenant's contact is unknown here.
        var stranger = EmailClient.Contact();
        await app.Contacts(Guid.NewGuid(), stranger);
        await client.PostJson($"{Path}/{template.Id()}/preview", $$"""{"contact_id": "{{stranger.Id}}"}""", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_preview_renders_an_older_version_when_asked()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var template = await client.CreateTemplate(subject: "Old {{x}}", html: "<p>old</p>");
        await client.PatchTemplate(template.Id(), """{"subject": "New {{x}}", "html": "<p>new</p>"}""");

        var current = await client.PostJson($"{Path}/{template.Id()}/preview", """{"merge_data": {"x": 1}}""", HttpStatusCode.OK);
        var old = await client.PostJson($"{Path}/{template.Id()}/preview", """{"merge_data": {"x": 1}, "version": 1}""", HttpStatusCode.OK);

        Assert.Equal(("New 1", 2), (current.Text("subject"), current.GetProperty("version").GetInt32()));
        Assert.Equal(("Old 1", "<p>old</p>", "old"), (old.Text("subject"), old.Text("html"), old.Text("text")));
        await client.PostJson($"{Path}/{template.Id()}/preview", """{"version": 7}""", HttpStatusCode.NotFound);
        await client.PostJson($"{Path}/{Guid.NewGuid()}/preview", "{}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_test_send_queues_a_transactional_lane_0_email_of_the_current_version_with_the_merge_data()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = EmailClient.Contact(firstName: "Grace", company: "Navy");
        await app.Contacts(tenant, contact);
        var template = await client.CreateTemplate(html: Html);
        await client.PatchTemplate(template.Id(), """{"subject": "Version two for {{first_name}}"}""");
        var to = MailCatcher.Address("tester");

        var queued = await client.PostJson($"{Path}/{template.Id()}/test-send",
            $$$"""{"to": "{{{to}}}", "contact_id": "{{{contact.Id}}}", "merge_data": {"order": {"id": 7, "total": 9.99} } }""", HttpStatusCode.Accepted);

        Assert.Equal("queued", queued.Text("status"));
        Assert.Equal(2, queued.GetProperty("version").GetInt32());
        var id = queued.GetProperty("message_id").GetGuid();
        Assert.Equal($"0|transactional|queued|{template.Id()}|2|{to}|api:test-user||0",
            await app.Database.ScalarAsync<string>("""
                select concat_ws('|', lane, category, status, template_id, template_version, to_email, requested_by, coalesce(contact_id::text, ''),
                                 attempts)
                  from email.email_jobs where tenant_id = $1 and id = $2
                """, tenant, id));
        var mergeData = JsonSerializer.Deserialize<JsonElement>(
            await app.Database.ScalarAsync<string>("select merge_data::text from email.email_jobs where id = $1", id));
        Assert.Equal("Grace", mergeData.GetProperty("first_name").GetString());
        Assert.Equal("Navy", mergeData.GetProperty("company").GetString());
        Assert.Equal(7, mergeData.GetProperty("order").GetProperty("id").GetInt32());
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where tenant_id = $1", tenant));

        // What the pipeline will send: the job's version row rendered with its merge data, as the preview shows it.
        var version = await client.GetJson($"{Path}/{template.Id()}/versions/2");
        var model = MergeFields.For(null, to, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(mergeData.GetRawText()));
        var renderer = new TemplateRenderer();
        var preview = await client.PostJson($"{Path}/{template.Id()}/preview",
            $$$"""{"contact_id": "{{{contact.Id}}}", "merge_data": {"order": {"id": 7, "total": 9.99} } }""", HttpStatusCode.OK);
        Assert.Equal("Version two for Grace", renderer.RenderPlain(version.Text("subject"), model));
        Assert.Equal(preview.Text("html"), renderer.RenderHtml(version.Text("html"), model));
        Assert.Equal(preview.Text("text"), renderer.RenderPlain(version.Text("text"), model));
    }

    [Fact]
    public async Task A_test_send_to_a_bad_address_or_an_unknown_template_queues_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var template = await client.CreateTemplate();

        var problem = await client.PostJson($"{Path}/{template.Id()}/test-send", """{"to": "not an address"}""", HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("to", out _));
        await client.PostJson($"{Path}/{template.Id()}/test-send", "{}", HttpStatusCode.BadRequest);
        await client.PostJson($"{Path}/{Guid.NewGuid()}/test-send", """{"to": "a@b.example"}""", HttpStatusCode.NotFound);
        await client.PostJson($"{Path}/{template.Id()}/test-send", """{"to": "a@b.example", "version": 3}""", HttpStatusCode.NotFound);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where tenant_id = $1", tenant));
    }
}

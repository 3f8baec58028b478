using System.Net;
using System.Text.Json;
using Npgsql;

namespace GrowthOps.Email.Tests.Apis;

/// <summary>Templates through the API: CRUD, versions, derived text, the editor's design, validation and limits.</summary>
public sealed class Managing_templates(EmailApp app) : IClassFixture<EmailApp>
{
    const string Path = TemplatesCalls.Path;

    [Fact]
    public async Task Creates_a_template_as_version_1_with_its_text_derived_from_the_html()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var created = await client.CreateTemplate("Welcome", "Welcome, {{first_name}}!",
            "<h1>Hi {{default first_name \"there\"}}</h1><p>See <a href=\"https://acme.example/start\">how to start</a>.<br>Bye</p>");

        Assert.Equal("Welcome", created.Text("name"));
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.True(created.GetProperty("text_generated").GetBoolean());
        Assert.Equal("Hi {{default first_name \"there\"}}\n\nSee how to start (https://acme.example/start).\nBye", created.Text("text"));
        var got = await client.GetJson($"{Path}/{created.Id()}");
        Assert.Equal(created.GetRawText(), got.GetRawText());
        var versions = await client.GetJson($"{Path}/{created.Id()}/versions");
        Assert.Equal([1], versions.Items().Select(v => v.GetProperty("version").GetInt32()));
        var v1 = await client.GetJson($"{Path}/{created.Id()}/versions/1");
        Assert.Equal(created.Text("html"), v1.Text("html"));
        Assert.Equal(created.Text("text"), v1.Text("text"));
        Assert.Equal("test-user", v1.Text("created_by"));
    }

    [Fact]
    public async Task Every_save_of_content_is_a_new_immutable_version_and_an_old_one_is_restored_as_the_newest()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var template = await client.CreateTemplate(subject: "First subject", html: "<p>First</p>");
        var id = template.Id();

        var v2 = await client.PatchTemplate(id, """{"subject": "Second subject", "html": "<p>Second</p>"}""");
        Assert.Equal(2, v2.GetProperty("version").GetInt32());
        Assert.Equal("Second", v2.Text("text"));
        var renamed = await client.PatchTemplate(id, """{"name": "Renamed", "description": "no new version for this"}""");
        Assert.Equal(2, renamed.GetProperty("version").GetInt32());
        Assert.Equal("Renamed", renamed.Text("name"));
        var unchanged = await client.PatchTemplate(id, """{"subject": "Second subject"}""");
        Assert.Equal(2, unchanged.GetProperty("version").GetInt32());

        Assert.Equal("First subject", (await client.GetJson($"{Path}/{id}/versions/1")).Text("subject"));
        var restored = await client.PostJson($"{Path}/{id}/versions/1/restore", "", HttpStatusCode.OK);
        Assert.Equal(3, restored.GetProperty("version").GetInt32());
        Assert.Equal("First subject", restored.Text("subject"));
        Assert.Equal("<p>First</p>", restored.Text("html"));
        var versions = await client.GetJson($"{Path}/{id}/versions");
        Assert.Equal(3, versions.GetProperty("current").GetInt32());
        Assert.Equal([3, 2, 1], versions.Items().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(1, versions.Items().First().GetProperty("restored_from").GetInt32());
        await client.GetJson($"{Path}/{id}/versions/9", HttpStatusCode.NotFound);

        // Campaigns send a fixed version: the database refuses to change one.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            app.Database.ScalarAsync<int>("update email.template_versions set subject = 'changed' where template_id = $1", id));
        Assert.Contains("immutable", refused.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saves_at_the_same_time_each_get_a_version_of_their_own()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var template = await client.CreateTemplate(subject: "v1");

        var saves = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.PatchTemplate(template.Id(), $$"""{"subject": "save {{i}}"}""")));

        Assert.Equal(Enumerable.Range(2, 8), saves.Select(s => s.GetProperty("version").GetInt32()).Order());
        var versions = (await client.GetJson($"{Path}/{template.Id()}/versions")).Items().ToList();
        Assert.Equal(9, versions.Count);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"save {i}").Order(),
            versions.Where(v => v.GetProperty("version").GetInt32() > 1).Select(v => v.Text("subject")).Order());
        var current = await client.GetJson($"{Path}/{template.Id()}");
        Assert.Equal(9, current.GetProperty("version").GetInt32());
        Assert.Equal(versions[0].Text("subject"), current.Text("subject"));
    }

    [Fact]
    public async Task A_given_text_body_is_kept_until_an_empty_one_asks_to_derive_it_again()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var template = await client.CreateTemplate(html: "<p>Html one</p>", text: "Hand written {{first_name}}");
        Assert.False(template.GetProperty("text_generated").GetBoolean());
        Assert.Equal("Hand written {{first_name}}", template.Text("text"));

        var kept = await client.PatchTemplate(template.Id(), """{"html": "<p>Html two</p>"}""");
        Assert.Equal("Hand written {{first_name}}", kept.Text("text"));
        var derived = await client.PatchTemplate(template.Id(), """{"text": ""}""");
        Assert.True(derived.GetProperty("text_generated").GetBoolean());
        Assert.Equal("Html two", derived.Text("text"));
        var follows = await client.PatchTemplate(template.Id(), """{"html": "<p>Html three</p>"}""");
        Assert.Equal("Html three", follows.Text("text"));
        Assert.Equal(4, follows.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_editors_design_json_comes_back_exactly_as_it_was_sent()
    {
        var client = app.ClientFor(Guid.NewGuid());
        const string design = """{"counters":{"u_row":2,"u_column":1},"body":{"id":"x1","rows":[{"cells":[1],"values":{"padding":"0px"}}],"values":{"contentWidth":"600px","backgroundColor":"#ffffff"}},"schemaVersion":16,"zeta":1.50,"alpha":null}""";

        var template = await client.CreateTemplate(html: "<p>Designed</p>", design: design);
        Assert.Equal(design, template.GetProperty("design").GetRawText());
        Assert.Equal(design, (await client.GetJson($"{Path}/{template.Id()}")).GetProperty("design").GetRawText());
        Assert.Equal(design, (await client.GetJson($"{Path}/{template.Id()}/versions/1")).GetProperty("design").GetRawText());

        const string next = """{"schemaVersion":16,"body":{"rows":[]}}""";
        var saved = await client.PatchTemplate(template.Id(), $$"""{"design": {{next}}, "html": "<p>Redesigned</p>"}""");
        Assert.Equal(next, saved.GetProperty("design").GetRawText());
        Assert.Equal(design, (await client.GetJson($"{Path}/{template.Id()}/versions/1")).GetProperty("design").GetRawText());
        var problem = await client.PatchTemplate(template.Id(), """{"design": [1, 2]}""", HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("design", out _));
    }

    [Fact]
    public async Task A_template_that_does_not_compile_is_refused_with_the_field_line_and_column_and_nothing_is_saved()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var problem = await client.PostJson(Path, TemplatesCalls.Json("Broken", "Hi {{first_name}", "<p>\n  {{#if company}}Hello\n</p>"),
            HttpStatusCode.UnprocessableEntity);

        var errors = problem.GetProperty("errors");
        Assert.StartsWith("line 2, column 3: '{{#if}}' is never closed", errors.GetProperty("html")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("line 1, column 4: ", errors.GetProperty("subject")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.templates where tenant_id = $1", tenant));

        var template = await client.CreateTemplate(subject: "Fine");
        var refused = await client.PatchTemplate(template.Id(), """{"subject": "ok", "text": "a\n{{shout name}}"}""", HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("line 2, column 1: 'shout' is not a helper", refused.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        var after = await client.GetJson($"{Path}/{template.Id()}");
        Assert.Equal("Fine", after.Text("subject"));
        Assert.Equal(1, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Bad_requests_and_huge_bodies_are_refused_with_a_problem()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var missing = await client.PostJson(Path, """{"name": " ", "html": "<p>x</p>"}""", HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("subject", out _));

        var tooLong = await client.PostJson(Path, TemplatesCalls.Json("Long", "s", "<p>" + new string('x', 1_000_000) + "</p>"),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("longer than 1000000 characters", tooLong.GetProperty("errors").GetProperty("html")[0].GetString(), StringComparison.Ordinal);

        var huge = await client.PostAsync(Path, EmailClient.Body(TemplatesCalls.Json("Huge", "s", new string('x', 9 * 1024 * 1024))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.templates where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task Lists_newest_first_a_page_at_a_time_with_search_and_the_archived_apart()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var a = await client.CreateTemplate("Alpha newsletter", subject: "Monthly news");
        var b = await client.CreateTemplate("Beta", subject: "Your invoice 100%");
        var c = await client.CreateTemplate("Gamma newsletter", subject: "Weekly");

        var first = await client.GetJson($"{Path}?limit=2");
        Assert.Equal([c.Id(), b.Id()], first.Items().Select(t => t.Id()));
        Assert.False(first.Items().First().TryGetProperty("html", out _));
        var second = await client.GetJson($"{Path}?limit=2&cursor={first.GetProperty("next_cursor").GetString()}");
        Assert.Equal([a.Id()], second.Items().Select(t => t.Id()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);

        Assert.Equal([c.Id(), a.Id()], (await client.GetJson($"{Path}?search=NEWSLETTER")).Items().Select(t => t.Id()));
        Assert.Equal([b.Id()], (await client.GetJson($"{Path}?search=100%25")).Items().Select(t => t.Id()));
        Assert.Empty((await client.GetJson($"{Path}?search=_eta")).Items());

        var archived = await client.PostJson($"{Path}/{b.Id()}/archive", "", HttpStatusCode.OK);
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.Equal([c.Id(), a.Id()], (await client.GetJson(Path)).Items().Select(t => t.Id()));
        Assert.Equal([b.Id()], (await client.GetJson($"{Path}?archived=true")).Items().Select(t => t.Id()));
        await client.PostJson($"{Path}/{b.Id()}/unarchive", "", HttpStatusCode.OK);
        Assert.Equal(3, (await client.GetJson(Path)).Items().Count());

        await client.GetJson($"{Path}?cursor=nonsense", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_template_a_campaign_uses_cannot_be_deleted_and_an_unused_one_goes_with_its_versions()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var used = await client.CreateTemplate();
        var unused = await client.CreateTemplate();
        await client.PatchTemplate(unused.Id(), """{"subject": "v2"}""");
        // As the campaigns part stores a campaign's design step.
        await app.Database.ScalarAsync<int>(
            "insert into email.campaigns (tenant_id, id, name, template_id) values ($1, $2, 'Spring', $3) returning 1", tenant, Guid.NewGuid(), used.Id());

        var conflict = await (await client.DeleteAsync($"{Path}/{used.Id()}")).Json(HttpStatusCode.Conflict);
        Assert.Equal(1, conflict.GetProperty("campaigns").GetInt32());
        await client.GetJson($"{Path}/{used.Id()}");

        await (await client.DeleteAsync($"{Path}/{unused.Id()}")).Json(HttpStatusCode.NoContent);
        await client.GetJson($"{Path}/{unused.Id()}", HttpStatusCode.NotFound);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.template_versions where template_id = $1", unused.Id()));
        await (await client.DeleteAsync($"{Path}/{unused.Id()}")).Json(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_duplicate_is_a_new_template_with_the_current_content_and_design_as_its_version_1()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var source = await client.CreateTemplate("Promo", html: "<p>One</p>", design: """{"body":{"rows":[]}}""");
        await client.PatchTemplate(source.Id(), """{"html": "<p>Two</p>"}""");

        var copy = await client.PostJson($"{Path}/{source.Id()}/duplicate", "", HttpStatusCode.Created);

        Assert.NotEqual(source.Id(), copy.Id());
        Assert.Equal("Promo (copy)", copy.Text("name"));
        Assert.Equal("<p>Two</p>", copy.Text("html"));
        Assert.Equal(1, copy.GetProperty("version").GetInt32());
        Assert.Equal("""{"body":{"rows":[]}}""", copy.GetProperty("design").GetRawText());
        Assert.Equal([1], (await client.GetJson($"{Path}/{copy.Id()}/versions")).Items().Select(v => v.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task A_tenant_never_sees_another_tenants_templates()
    {
        var mine = await app.ClientFor(Guid.NewGuid()).CreateTemplate();
        var other = app.ClientFor(Guid.NewGuid());

        await other.GetJson($"{Path}/{mine.Id()}", HttpStatusCode.NotFound);
        await other.GetJson($"{Path}/{mine.Id()}/versions/1", HttpStatusCode.NotFound);
        await other.PatchTemplate(mine.Id(), """{"name": "stolen"}""", HttpStatusCode.NotFound);
        await (await other.DeleteAsync($"{Path}/{mine.Id()}")).Json(HttpStatusCode.NotFound);
        Assert.Empty((await other.GetJson(Path)).Items());
    }
}

using System.Net;
using System.Text.Json;

namespace GrowthOps.Email.Tests.Apis;

/// <summary>POST /api/email/messages and the messages it answers with.</summary>
public sealed class Sending_transactional_email(HeldEmailApp app) : IClassFixture<HeldEmailApp>
{
    [Fact]
    public async Task Queues_an_inline_email_ahead_of_broadcasts_and_shows_it()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var to = MailCatcher.Address();
        var key = TransactionalCalls.Key();

        var message = await client.Send(TransactionalCalls.Inline(key, to, "\"merge_data\": {\"order\": 42}, \"reply_to\": \"help@shop.example\""));

        Assert.Equal("queued", message.GetProperty("status").GetString());
        Assert.Equal(to, message.GetProperty("to").GetString());
        Assert.Equal("transactional", message.GetProperty("category").GetString());
        Assert.Equal(key, message.GetProperty("idempotency_key").GetString());
        Assert.StartsWith("api:", message.GetProperty("requested_by").GetString());
        var id = message.Id();
        Assert.Equal("0", await app.JobColumn(id, "lane"));
        Assert.Equal("{\"order\": 42}", await app.JobColumn(id, "merge_data"));
        Assert.Equal("help@shop.example", await app.JobColumn(id, "reply_to"));

        var shown = await client.GetJson($"/api/email/messages/{id}");
        Assert.Equal(id, shown.Id());
        Assert.Equal(0, shown.GetProperty("attempts").GetInt32());
        Assert.Empty(shown.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task The_same_key_again_answers_the_same_message_with_200_and_queues_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var to = MailCatcher.Address();
        var key = TransactionalCalls.Key();
        var first = await client.Send(TransactionalCalls.Inline(key, to));

        var again = await client.Send(TransactionalCalls.Inline(key, to), HttpStatusCode.OK);

        Assert.Equal(first.Id(), again.Id());
        Assert.Equal(1, await app.JobsWithKey(tenant, key));

        // The key may come in the Idempotency-Key header instead; the body's and the header's are one key.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/email/messages")
        {
            Content = EmailClient.Body("""{"to": "TO", "subject": "Your receipt", "html": "<p>Thanks {{first_name}}</p>"}""".Replace("TO", to, StringComparison.Ordinal)),
        };
        request.Headers.Add("Idempotency-Key", key);
        var byHeader = await (await client.SendAsync(request)).Json(HttpStatusCode.OK);
        Assert.Equal(first.Id(), byHeader.Id());
        Assert.Equal(1, await app.JobsWithKey(tenant, key));
    }

    [Fact]
    public async Task The_same_key_with_other_content_is_refused_with_409_naming_the_first_message()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var key = TransactionalCalls.Key();
        var to = MailCatcher.Address();
        var first = await client.Send(TransactionalCalls.Inline(key, to));

        var problem = await client.Send(TransactionalCalls.Inline(key, to, "\"merge_data\": {\"order\": 43}"), HttpStatusCode.Conflict);
        Assert.Equal(first.Id(), problem.GetProperty("message_id").GetGuid());
        await client.Send(TransactionalCalls.Inline(key, MailCatcher.Address()), HttpStatusCode.Conflict);
        Assert.Equal(1, await app.JobsWithKey(tenant, key));
    }

    [Fact]
    public async Task Idempotency_keys_are_per_tenant()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var key = TransactionalCalls.Key();
        var to = MailCatcher.Address();

        var first = await app.ClientFor(a).Send(TransactionalCalls.Inline(key, to));
        var second = await app.ClientFor(b).Send(TransactionalCalls.Inline(key, to));

        Assert.NotEqual(first.Id(), second.Id());
        Assert.Equal(1, await app.JobsWithKey(a, key));
        Assert.Equal(1, await app.JobsWithKey(b, key));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_queue_one_email()
    {
        var tenant = Guid.NewGuid();
        var key = TransactionalCalls.Key();
        var to = MailCatcher.Address();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            var response = await app.ClientFor(tenant).PostAsync("/api/email/messages", EmailClient.Body(TransactionalCalls.Inline(key, to)));
            var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, Id: body.Id());
        }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(responses.Select(r => r.Id).Distinct());
        Assert.Equal(1, await app.JobsWithKey(tenant, key));
    }

    [Fact]
    public async Task Malformed_requests_are_validation_problems_naming_the_fields()
    {
        var client = app.ClientFor(Guid.NewGuid());

        var problem = await client.Send("""{"subject": "s", "html": "h", "category": "spam", "to": "not an address"}""", HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("idempotency_key", out _));
        Assert.True(errors.TryGetProperty("category", out _));
        Assert.True(errors.TryGetProperty("to", out _));

        errors = (await client.Send("""{"idempotency_key": "k1"}""", HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("to", out _));
        Assert.True(errors.TryGetProperty("subject", out _));
        Assert.True(errors.TryGetProperty("html", out _));

        var both = $$"""{"idempotency_key": "k2", "to": "a@b.example", "template_id": "{{Guid.NewGuid()}}", "subject": "s"}""";
        Assert.True((await client.Send(both, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("template_id", out _));

        var tooLong = TransactionalCalls.Inline(new string('k', 256), "a@b.example");
        Assert.True((await client.Send(tooLong, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("idempotency_key", out _));
        Assert.Equal("application/problem+json", (await client.PostAsync("/api/email/messages", EmailClient.Body("{"))).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_contact_or_template_is_404_and_content_that_does_not_render_is_422()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);

        var unknownContact = $$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "contact_id": "{{Guid.NewGuid()}}", "subject": "s", "html": "h"}""";
        Assert.Equal("unknown_contact", (await client.Send(unknownContact, HttpStatusCode.NotFound)).GetProperty("error_code").GetString());

        var unknownTemplate = $$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "to": "a@b.example", "template_id": "{{Guid.NewGuid()}}"}""";
        await client.Send(unknownTemplate, HttpStatusCode.NotFound);
        var template = await app.Template(tenant);
        var missingVersion = $$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "to": "a@b.example", "template_id": "{{template}}", "template_version": 7}""";
        await client.Send(missingVersion, HttpStatusCode.NotFound);

        var broken = await app.Template(tenant, html: "<p>{{#if first_name}}unclosed</p>");
        var unrenderable = $$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "to": "a@b.example", "template_id": "{{broken}}"}""";
        var problem = await client.Send(unrenderable, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("template_error", problem.GetProperty("error_code").GetString());

        var inline = TransactionalCalls.Inline(TransactionalCalls.Key(), "a@b.example").Replace("<p>Thanks {{first_name}}</p>", "{{#each}}", StringComparison.Ordinal);
        await client.Send(inline, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task A_template_send_to_an_address_finds_its_contact_and_pins_the_current_version()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact(firstName: "Grace");
        await app.Contacts(tenant, contact);
        var template = await app.Template(tenant);
        var client = app.ClientFor(tenant);
        var key = TransactionalCalls.Key();
        var json = $$"""{"idempotency_key": "{{key}}", "to": "{{contact.Email!.ToUpperInvariant()}}", "template_id": "{{template}}", "category": "marketing"}""";

        var message = await client.Send(json);

        Assert.Equal(contact.Id, message.GetProperty("contact_id").GetGuid());
        Assert.Equal(template, message.GetProperty("template_id").GetGuid());
        Assert.Equal(1, message.GetProperty("template_version").GetInt32());
        Assert.Equal("marketing", message.GetProperty("category").GetString());
        // A repeat without a version is the same request, though the queued email has its version pinned.
        Assert.Equal(message.Id(), (await client.Send(json, HttpStatusCode.OK)).Id());
    }

    [Fact]
    public async Task A_dry_run_is_queued_as_a_dry_run()
    {
        var tenant = Guid.NewGuid();
        var message = await app.ClientFor(tenant).Send(TransactionalCalls.Inline(TransactionalCalls.Key(), MailCatcher.Address(), "\"dry_run\": true"));

        Assert.True(message.GetProperty("dry_run").GetBoolean());
        Assert.Equal("true", await app.JobColumn(message.Id(), "dry_run"));
    }

    [Fact]
    public async Task Lists_messages_newest_first_with_filters_and_cursors_and_only_the_tenants_own()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var client = app.ClientFor(tenant);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
            ids.Add((await client.Send(TransactionalCalls.Inline(TransactionalCalls.Key(), MailCatcher.Address()))).Id());
        var toContact = (await client.Send($$"""{"idempotency_key": "{{TransactionalCalls.Key()}}", "contact_id": "{{contact.Id}}", "subject": "s", "html": "h"}""")).Id();
        await app.Database.ScalarAsync<int>("update email.email_jobs set status = 'sent' where id = $1 returning 1", ids[0]);

        var first = await client.GetJson("/api/email/messages?limit=3");
        Assert.Equal([toContact, ids[2], ids[1]], first.Items().Select(m => m.Id()).ToArray());
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await client.GetJson($"/api/email/messages?limit=3&cursor={cursor}");
        Assert.Equal([ids[0]], second.Items().Select(m => m.Id()).ToArray());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);

        Assert.Equal([ids[0]], (await client.GetJson("/api/email/messages?status=sent")).Items().Select(m => m.Id()).ToArray());
        Assert.Equal([toContact], (await client.GetJson($"/api/email/messages?contact_id={contact.Id}")).Items().Select(m => m.Id()).ToArray());
        Assert.Empty((await client.GetJson($"/api/email/messages?since={DateTimeOffset.UtcNow.AddMinutes(5):O}".Replace("+", "%2B", StringComparison.Ordinal))).Items());
        await client.GetJson("/api/email/messages?status=lost", HttpStatusCode.BadRequest);

        var other = app.ClientFor(Guid.NewGuid());
        Assert.Empty((await other.GetJson("/api/email/messages")).Items());
        await other.GetJson($"/api/email/messages/{ids[0]}", HttpStatusCode.NotFound);
    }
}

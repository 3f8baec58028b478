using System.Net;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Providers;

/// <summary>A tenant's own Postmark server or SMTP relay through <c>/api/email/providers</c>, and the provider its email then goes out through.</summary>
public sealed class Configuring_email_providers(ProvidersApp app) : IClassFixture<ProvidersApp>
{
    const string Path = "/api/email/providers";

    ValueTask<IEmailProvider> Resolve(Guid tenant) => app.Services.GetRequiredService<IEmailProviderResolver>().ResolveAsync(tenant, CancellationToken.None);

    static OutgoingEmail Email(Guid tenant) => new()
    {
        TenantId = tenant,
        MessageId = Guid.CreateVersion7(),
        Category = "transactional",
        From = "news@acme.test",
        To = $"{Guid.NewGuid():N}@example.test",
        Subject = "Hello",
        Html = "<p>Hello</p>",
    };

    [Fact]
    public async Task A_tenant_without_settings_sees_the_platform_default_and_sends_through_it()
    {
        var tenant = Guid.NewGuid();

        var settings = await app.ClientFor(tenant).GetJson(Path);

        Assert.Equal("platform", settings.GetProperty("source").GetString());
        Assert.Equal("postmark", settings.GetProperty("kind").GetString());
        Assert.False(settings.GetProperty("has_server_token").GetBoolean());
        var provider = await Resolve(tenant);
        Assert.Equal("postmark", provider.Name);
        var email = Email(tenant);
        Assert.Equal(SendStatus.Sent, Assert.Single(await provider.SendAsync([email], CancellationToken.None)).Status);
        Assert.Equal("platform-token", app.Postmark.Requests.Single(r => r.Body.GetRawText().Contains(email.To)).ServerToken);
    }

    [Fact]
    public async Task A_Postmark_server_token_is_never_shown_again_and_is_stored_encrypted()
    {
        var tenant = Guid.NewGuid();
        var api = app.ClientFor(tenant);
        const string token = "b7bc2f4a-e38e-4336-af7d-e6c392c2f817";

        var saved = await api.PutJson(Path, $$"""{ "kind": "postmark", "server_token": "{{token}}", "message_stream": "receipts", "from_default": "hello@acme.test" }""",
            HttpStatusCode.OK);
        var shown = await api.GetJson(Path);

        foreach (var body in new[] { saved, shown })
        {
            Assert.DoesNotContain(token, body.GetRawText());
            Assert.Equal("tenant", body.GetProperty("source").GetString());
            Assert.Equal("postmark", body.GetProperty("kind").GetString());
            Assert.Equal("receipts", body.GetProperty("message_stream").GetString());
            Assert.Equal("hello@acme.test", body.GetProperty("from_default").GetString());
            Assert.True(body.GetProperty("has_server_token").GetBoolean());
        }

        var stored = await app.Database.ScalarAsync<byte[]>("select server_token from email.providers where tenant_id = $1", tenant);
        Assert.True(stored.Length > token.Length);
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(stored));
        Assert.DoesNotContain(token, Convert.ToHexString(stored), StringComparison.OrdinalIgnoreCase);
        Assert.False(await app.Database.ScalarAsync<bool>(
            "select position(convert_to($2, 'UTF8') in server_token) > 0 from email.providers where tenant_id = $1", tenant, token));
    }

    [Fact]
    public async Task The_tenant_s_own_Postmark_server_is_used_with_its_token_and_a_later_change_keeps_the_token()
    {
        var tenant = Guid.NewGuid();
        var api = app.ClientFor(tenant);
        var fake = app.Postmark;
        await api.PutJson(Path, $$"""{ "kind": "postmark", "server_token": "{{fake.ServerToken}}-tenant" }""", HttpStatusCode.OK);
        var email = Email(tenant);

        var provider = await Resolve(tenant);
        var outcome = Assert.Single(await provider.SendAsync([email], CancellationToken.None));

        // The fake takes only the platform's token: the tenant's own reached it, and was refused as Postmark would.
        Assert.Equal(SendStatus.Permanent, outcome.Status);
        Assert.Equal("10", outcome.ErrorCode);
        var request = fake.Requests.Single(r => r.Body.GetRawText().Contains(email.To));
        Assert.Equal($"{fake.ServerToken}-tenant", request.ServerToken);
        Assert.Equal("outbound", request.Messages[0].GetProperty("MessageStream").GetString());

        var changed = await api.PutJson(Path, """{ "kind": "postmark", "message_stream": "receipts" }""", HttpStatusCode.OK);
        Assert.True(changed.GetProperty("has_server_token").GetBoolean());
        var again = Email(tenant);
        await (await Resolve(tenant)).SendAsync([again], CancellationToken.None);
        var second = fake.Requests.Single(r => r.Body.GetRawText().Contains(again.To));
        Assert.Equal($"{fake.ServerToken}-tenant", second.ServerToken);
        Assert.Equal("receipts", second.Messages[0].GetProperty("MessageStream").GetString());
    }

    [Fact]
    public async Task A_tenant_s_SMTP_relay_is_built_with_its_decrypted_password_and_deleting_it_goes_back_to_the_platform()
    {
        var tenant = Guid.NewGuid();
        var api = app.ClientFor(tenant);

        var saved = await api.PutJson(Path,
            """{ "kind": "smtp", "host": "smtp.acme.test", "port": 587, "username": "mailer", "password": "s3cret-pass", "use_tls": false }""",
            HttpStatusCode.OK);

        Assert.DoesNotContain("s3cret-pass", saved.GetRawText());
        Assert.True(saved.GetProperty("has_password").GetBoolean());
        Assert.Equal("smtp.acme.test", saved.GetProperty("host").GetString());
        Assert.Equal(587, saved.GetProperty("port").GetInt32());
        Assert.False(saved.GetProperty("has_server_token").GetBoolean());
        Assert.DoesNotContain("s3cret-pass", System.Text.Encoding.UTF8.GetString(
            await app.Database.ScalarAsync<byte[]>("select password from email.providers where tenant_id = $1", tenant)));

        var provider = await Resolve(tenant);
        Assert.Equal("smtp:smtp.acme.test:587", provider.Name);
        Assert.Contains(new SmtpSettings("smtp.acme.test", 587, "mailer", "s3cret-pass", false), app.SmtpFactory.Asked);

        var keptPassword = await api.PutJson(Path, """{ "kind": "smtp", "host": "smtp2.acme.test", "port": 465, "username": "mailer", "use_tls": true }""",
            HttpStatusCode.OK);
        Assert.True(keptPassword.GetProperty("has_password").GetBoolean());
        Assert.Equal("smtp:smtp2.acme.test:465", (await Resolve(tenant)).Name);
        Assert.Contains(new SmtpSettings("smtp2.acme.test", 465, "mailer", "s3cret-pass", true), app.SmtpFactory.Asked);

        var noPassword = await api.PutJson(Path, """{ "kind": "smtp", "host": "smtp2.acme.test", "port": 25, "password": "" }""", HttpStatusCode.OK);
        Assert.False(noPassword.GetProperty("has_password").GetBoolean());

        (await api.DeleteAsync(Path)).EnsureSuccessStatusCode();
        Assert.Equal("platform", (await api.GetJson(Path)).GetProperty("source").GetString());
        Assert.Equal("postmark", (await Resolve(tenant)).Name);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(Path)).StatusCode);
    }

    [Theory]
    [InlineData("""{ "kind": "sendgrid" }""", "kind")]
    [InlineData("""{ }""", "kind")]
    [InlineData("""{ "kind": "postmark" }""", "server_token")]
    [InlineData("""{ "kind": "postmark", "server_token": "has a space" }""", "server_token")]
    [InlineData("""{ "kind": "postmark", "server_token": "t", "message_stream": "no spaces allowed" }""", "message_stream")]
    [InlineData("""{ "kind": "smtp", "port": 25 }""", "host")]
    [InlineData("""{ "kind": "smtp", "host": "not a host", "port": 25 }""", "host")]
    [InlineData("""{ "kind": "smtp", "host": "smtp.acme.test" }""", "port")]
    [InlineData("""{ "kind": "smtp", "host": "smtp.acme.test", "port": 0 }""", "port")]
    [InlineData("""{ "kind": "smtp", "host": "smtp.acme.test", "port": 65536 }""", "port")]
    [InlineData("""{ "kind": "smtp", "host": "smtp.acme.test", "port": 25, "from_default": "not an address" }""", "from_default")]
    public async Task Refuses_settings_that_could_not_send_with_422_and_keeps_what_was_there(string body, string field)
    {
        var tenant = Guid.NewGuid();
        var api = app.ClientFor(tenant);
        await api.PutJson(Path, """{ "kind": "smtp", "host": "smtp.keep.test", "port": 2525 }""", HttpStatusCode.OK);

        var problem = await api.PutJson(Path, body, HttpStatusCode.UnprocessableEntity);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        var kept = await api.GetJson(Path);
        Assert.Equal(("smtp", "smtp.keep.test", 2525), (kept.GetProperty("kind").GetString(), kept.GetProperty("host").GetString(), kept.GetProperty("port").GetInt32()));
    }

    [Fact]
    public async Task A_server_token_is_required_again_when_switching_from_SMTP_to_Postmark()
    {
        var api = app.ClientFor(Guid.NewGuid());
        await api.PutJson(Path, """{ "kind": "smtp", "host": "smtp.acme.test", "port": 25, "password": "pw" }""", HttpStatusCode.OK);

        var problem = await api.PutJson(Path, """{ "kind": "postmark" }""", HttpStatusCode.UnprocessableEntity);

        Assert.True(problem.GetProperty("errors").TryGetProperty("server_token", out _));
    }

    [Fact]
    public async Task Tenants_never_see_or_change_each_other_s_provider()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        await app.ClientFor(a).PutJson(Path, """{ "kind": "smtp", "host": "smtp.a.test", "port": 25 }""", HttpStatusCode.OK);

        Assert.Equal("platform", (await app.ClientFor(b).GetJson(Path)).GetProperty("source").GetString());
        (await app.ClientFor(b).DeleteAsync(Path)).EnsureSuccessStatusCode();
        await app.ClientFor(b).PutJson(Path, """{ "kind": "smtp", "host": "smtp.b.test", "port": 26 }""", HttpStatusCode.OK);

        Assert.Equal("smtp.a.test", (await app.ClientFor(a).GetJson(Path)).GetProperty("host").GetString());
        Assert.Equal("smtp:smtp.a.test:25", (await Resolve(a)).Name);
        Assert.Equal("smtp:smtp.b.test:26", (await Resolve(b)).Name);
        // Row-level security: the service's own role sees only the tenant of its transaction.
        Assert.Equal(1L, await app.InTenantAsync(a, async sp =>
        {
            var unitOfWork = sp.GetRequiredService<GrowthOps.Persistence.UnitOfWork>();
            await using var count = unitOfWork.CreateCommand("select count(*) from email.providers where tenant_id = any($1)");
            count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { a, b } });
            return (long)(await count.ExecuteScalarAsync())!;
        }));
    }

    [Fact]
    public async Task Settings_need_a_token()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync(Path)).StatusCode);
    }
}

using System.Net;
using System.Text;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Apis;

/// <summary>The tenant's suppression list under /api/email/suppressions.</summary>
public sealed class Keeping_the_suppression_list(EmailApp app) : IClassFixture<EmailApp>
{
    static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task Adds_checks_lists_and_removes_addresses_per_tenant()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var address = MailCatcher.Address("Ada.Lovelace");

        var added = await client.PostJson("/api/email/suppressions", $$"""{"email": "{{address}}"}""", HttpStatusCode.Created);
        Assert.Equal(address.ToLowerInvariant(), added.GetProperty("email").GetString());
        Assert.Equal("manual", added.GetProperty("reason").GetString());
        Assert.Equal("api", added.GetProperty("source").GetString());
        // Again (in another spelling): the entry that is there, with its reason.
        var again = await client.PostJson("/api/email/suppressions", $$"""{"email": "{{address.ToUpperInvariant()}}", "reason": "hard_bounce"}""", HttpStatusCode.OK);
        Assert.Equal("manual", again.GetProperty("reason").GetString());

        Assert.Equal(added.Id(), (await client.GetJson($"/api/email/suppressions/{address}")).Id());
        var bounced = MailCatcher.Address("bounced");
        await client.PostJson("/api/email/suppressions", $$"""{"email": "{{bounced}}", "reason": "hard_bounce"}""", HttpStatusCode.Created);
        Assert.Equal([bounced], (await client.GetJson("/api/email/suppressions?reason=hard_bounce")).Items().Select(s => s.GetProperty("email").GetString()!).ToArray());
        Assert.Equal([address.ToLowerInvariant()], (await client.GetJson("/api/email/suppressions?q=LOVELACE")).Items().Select(s => s.GetProperty("email").GetString()!).ToArray());
        var page = await client.GetJson("/api/email/suppressions?limit=1");
        Assert.Single(page.Items());
        Assert.Single((await client.GetJson($"/api/email/suppressions?limit=1&cursor={page.GetProperty("next_cursor").GetString()}")).Items());

        var other = app.ClientFor(Guid.NewGuid());
        await other.GetJson($"/api/email/suppressions/{address}", HttpStatusCode.NotFound);
        Assert.Empty((await other.GetJson("/api/email/suppressions")).Items());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/email/suppressions/{address}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/email/suppressions/{address}")).StatusCode);
        await client.GetJson($"/api/email/suppressions/{address}", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/email/suppressions/{address}")).StatusCode);
    }

    [Fact]
    public async Task Refuses_a_bad_address_or_reason()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var errors = (await client.PostJson("/api/email/suppressions", """{"email": "nobody", "reason": "bored"}""", HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("reason", out _));
        await client.GetJson("/api/email/suppressions?reason=bored", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unsubscribe_added_by_hand_clears_consent_through_EmailUnsubscribed()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);

        await app.ClientFor(tenant).PostJson("/api/email/suppressions", $$"""{"email": "{{contact.Email}}", "reason": "unsubscribe"}""", HttpStatusCode.Created);

        var unsubscribed = await app.Bus.WaitFor<EmailUnsubscribed>(u => u.Email == contact.Email, TimeSpan.FromSeconds(30));
        Assert.Equal(contact.Id, unsubscribed.ContactId);
        Assert.Equal("manual", unsubscribed.Source);
        Assert.Equal(tenant, unsubscribed.TenantId);
    }

    [Fact]
    public async Task Imports_the_valid_rows_of_a_csv_reports_the_bad_ones_by_line_and_exports_them_back()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (a, b, c, d) = (MailCatcher.Address("a"), MailCatcher.Address("b"), MailCatcher.Address("c"), MailCatcher.Address("=formula"));
        await client.PostJson("/api/email/suppressions", $$"""{"email": "{{c}}"}""", HttpStatusCode.Created);
        var csv = $"Reason,Email,Note\r\nunsubscribe,{a},x\r\n\r\nhard_bounce,\"{b.ToUpperInvariant()}\",y\r\nmanual,not-an-address,z\r\nbored,x@y.example,z\r\n,{c},\r\nspam_complaint,{d}\r\nmanual,{a},again\r\n";

        var import = await (await client.PostAsync("/api/email/suppressions/import", Csv(csv))).Json(HttpStatusCode.OK);

        Assert.Equal(7, import.GetProperty("rows").GetInt32());
        Assert.Equal(3, import.GetProperty("imported").GetInt32());
        Assert.Equal(1, import.GetProperty("already_suppressed").GetInt32());
        Assert.Equal(2, import.GetProperty("error_count").GetInt32());
        Assert.Equal([5, 6], import.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).ToArray());
        Assert.Equal("hard_bounce", (await client.GetJson($"/api/email/suppressions/{b}")).GetProperty("reason").GetString());
        Assert.Equal("import", (await client.GetJson($"/api/email/suppressions/{a}")).GetProperty("source").GetString());
        Assert.Equal("api", (await client.GetJson($"/api/email/suppressions/{c}")).GetProperty("source").GetString());

        var export = await client.GetAsync("/api/email/suppressions.csv");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("email,reason,source,created_at", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"{a},unsubscribe,import,", StringComparison.Ordinal));
        // A field a spreadsheet would run as a formula is escaped.
        Assert.Contains(lines, l => l.StartsWith($"\"'{d}\",spam_complaint", StringComparison.Ordinal));

        // The export imports into another tenant as it is: the same list.
        var copy = app.ClientFor(Guid.NewGuid());
        var exported = string.Join("\r\n", lines).Replace($"\"'{d}\"", d, StringComparison.Ordinal);
        var reimport = await (await copy.PostAsync("/api/email/suppressions/import", Csv(exported))).Json(HttpStatusCode.OK);
        Assert.Equal(4, reimport.GetProperty("imported").GetInt32());
        Assert.Equal(0, reimport.GetProperty("error_count").GetInt32());
        Assert.Equal("hard_bounce", (await copy.GetJson($"/api/email/suppressions/{b}")).GetProperty("reason").GetString());
        Assert.Single((await copy.GetJson("/api/email/suppressions?reason=hard_bounce")).Items());
    }

    [Fact]
    public async Task A_csv_without_an_email_column_or_with_a_broken_quote_says_where()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var noEmail = await (await client.PostAsync("/api/email/suppressions/import", Csv("address,reason\r\na@b.example,manual\r\n"))).Json(HttpStatusCode.OK);
        Assert.Equal(0, noEmail.GetProperty("imported").GetInt32());
        Assert.Equal(1, noEmail.GetProperty("errors")[0].GetProperty("line").GetInt32());

        var good = MailCatcher.Address();
        var broken = await (await client.PostAsync("/api/email/suppressions/import", Csv($"email\r\nbad\"quote@x.example\r\n{good}\r\n"))).Json(HttpStatusCode.OK);
        Assert.Equal(1, broken.GetProperty("imported").GetInt32());
        Assert.Equal(2, broken.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/api/email/suppressions/import", EmailClient.Body("{}"))).StatusCode);
    }

    [Fact]
    public async Task An_import_over_the_size_limit_is_413_and_imports_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var csv = new StringBuilder("email\r\n");
        while (csv.Length <= 21 * 1024 * 1024)
            csv.Append(MailCatcher.Address()).Append("\r\n");

        var response = await client.PostAsync("/api/email/suppressions/import", Csv(csv.ToString()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from email.suppressions where tenant_id = $1", tenant));
    }
}

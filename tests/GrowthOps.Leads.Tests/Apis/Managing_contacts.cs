using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Apis;

public sealed class Managing_contacts(LeadsApp app) : IClassFixture<LeadsApp>
{
    readonly Guid _tenant = Guid.NewGuid();

    [Fact]
    public async Task Creating_a_contact_stores_it_in_the_new_state_and_publishes_ContactCreated()
    {
        var client = app.ClientFor(_tenant);
        var response = await client.Post("/api/leads/contacts", new
        {
            email = "Ada.Lovelace@Example.com", first_name = "Ada", last_name = "Lovelace", company = "Analytical Engines", source = "webinar",
            tags = new[] { "VIP", "newsletter" }, attributes = new { plan = "pro" }, timezone = "Europe/London", marketing_consent = true,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var contact = await response.Json();
        var id = contact.GetProperty("id").GetGuid();
        Assert.Equal("new", contact.GetProperty("lead_state").GetString());
        Assert.Equal("Ada Lovelace", contact.GetProperty("name").GetString());
        Assert.Equal(["vip", "newsletter"], contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("pro", contact.GetProperty("attributes").GetProperty("plan").GetString());

        var created = await app.Events.WaitFor<ContactCreated>(e => e.Contact.Id == id);
        Assert.Equal(_tenant, created.TenantId);
        Assert.Equal("new", created.Contact.LeadState);
        Assert.Equal("Ada.Lovelace@Example.com", created.Contact.Email);
    }

    [Fact]
    public async Task Creating_an_existing_email_updates_that_contact_instead_of_duplicating_it()
    {
        var client = app.ClientFor(_tenant);
        var first = await (await client.Post("/api/leads/contacts", new { email = "grace@example.com", first_name = "Grace" })).Json();
        var again = await client.Post("/api/leads/contacts", new { email = " GRACE@example.com ", company = "Navy", tags = new[] { "cobol" } });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var updated = await again.Json();
        Assert.Equal(first.GetProperty("id").GetGuid(), updated.GetProperty("id").GetGuid());
        Assert.Equal("Grace", updated.GetProperty("first_name").GetString());
        Assert.Equal("Navy", updated.GetProperty("company").GetString());

        var changed = await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == first.GetProperty("id").GetGuid());
        Assert.Contains("company", changed.ChangedFields);
        Assert.Contains("tags", changed.ChangedFields);
        await app.Events.WaitFor<TagAdded>(e => e.ContactId == first.GetProperty("id").GetGuid() && e.Tag == "cobol");
    }

    [Fact]
    public async Task Patching_replaces_present_fields_clears_nulls_and_merges_attributes()
    {
        var client = app.ClientFor(_tenant);
        var id = (await (await client.Post("/api/leads/contacts", new
        {
            email = "linus@example.com", phone = "+1 555 0100", attributes = new { a = 1, b = 2 },
        })).Json()).GetProperty("id").GetGuid();

        var response = await client.Patch($"/api/leads/contacts/{id}", new Dictionary<string, object?>
        {
            ["phone"] = null, ["score"] = 42, ["kind"] = "customer", ["attributes"] = new Dictionary<string, object?> { ["b"] = null, ["c"] = 3 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.Json();
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("phone").ValueKind);
        Assert.Equal(42, patched.GetProperty("score").GetInt32());
        Assert.Equal("customer", patched.GetProperty("kind").GetString());
        Assert.Equal("{\"a\":1,\"c\":3}", patched.GetProperty("attributes").GetRawText().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_fields_are_a_validation_problem_and_nothing_is_written()
    {
        var client = app.ClientFor(_tenant);
        var response = await client.Post("/api/leads/contacts", new { email = "not-an-email", kind = "alien", timezone = "Mars/Olympus", tags = new[] { "ok", "Not OK!" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        foreach (var field in new[] { "email", "kind", "timezone", "tags" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.contacts where email = 'not-an-email'"));
    }

    [Fact]
    public async Task Lists_filter_by_state_tag_kind_and_text_and_page_with_a_cursor()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        for (var i = 0; i < 5; i++)
            await client.Post("/api/leads/contacts", new { email = $"person{i}@acme.test", company = i % 2 == 0 ? "Acme Rockets" : "Other", tags = i < 2 ? new[] { "hot" } : [] });
        await client.Post("/api/leads/contacts", new { email = "customer@acme.test", kind = "customer" });

        Assert.Equal(2, (await (await client.GetAsync("/api/leads/contacts?tag=hot")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await (await client.GetAsync("/api/leads/contacts?kind=customer")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(3, (await (await client.GetAsync("/api/leads/contacts?q=rock")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(5, (await (await client.GetAsync("/api/leads/contacts?state=new&kind=lead")).Json()).GetProperty("items").GetArrayLength());

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/api/leads/contacts?limit=4{(cursor is null ? "" : $"&cursor={cursor}")}")).Json();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        Assert.Equal(6, seen.Distinct().Count());
    }

    [Fact]
    public async Task Lists_filter_by_creation_and_interaction_time()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var early = (await (await client.Post("/api/leads/contacts", new { email = "early@acme.test" })).Json()).GetProperty("created_at").GetDateTime();
        var late = (await (await client.Post("/api/leads/contacts", new { email = "late@acme.test" })).Json()).GetProperty("created_at").GetDateTime();
        Assert.True(late > early);
        Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/activities", new { type = "page.viewed", contact_email = "late@acme.test" })).StatusCode);

        static string At(DateTime time) => Uri.EscapeDataString(time.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        async Task<string[]> Emails(string query) => (await (await client.GetAsync($"/api/leads/contacts?{query}")).Json())
            .GetProperty("items").EnumerateArray().Select(c => c.GetProperty("email").GetString()!).ToArray();

        Assert.Equal(["late@acme.test"], await Emails($"created_from={At(late)}"));
        Assert.Equal(["early@acme.test"], await Emails($"created_to={At(late)}"));
        Assert.Equal(["late@acme.test"], await Emails($"interaction_from={At(late)}"));
        Assert.Equal(["late@acme.test", "early@acme.test"], await Emails($"created_from={At(early)}&created_to={At(late.AddSeconds(1))}"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=not-one-of-ours", "cursor")]
    [InlineData("cursor=LTE6MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", "cursor")] // "-1:<id>"
    [InlineData("cursor=NjM4MDAwMDAwMDAwMDAwMDAwOjAxMjM0NTY3ODlBQkNERUYwMTIzNDU2Nzg5QUJDREVG", "cursor")] // an upper-case id
    [InlineData("cursor=NjM4MDAwMDAwMDAwMDAwMDAwOjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmOjE", "cursor")] // three parts
    [InlineData("createdFrom=2020-01-01T00:00:00Z", "createdFrom")]
    [InlineData("interactionto=2020-01-01T00:00:00Z", "interactionto")]
    [InlineData("state=new&sort=email", "sort")]
    [InlineData("limit=5&limit=6", "limit")]
    public async Task A_list_request_out_of_range_is_a_400_naming_the_parameter(string query, string parameter)
    {
        var response = await app.ClientFor(_tenant).GetAsync($"/api/leads/contacts?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Theory]
    [InlineData("/api/leads/activities?contactId=0123456789abcdef0123456789abcdef", "contactId")]
    [InlineData("/api/leads/activities?type=x&contact=0123456789abcdef0123456789abcdef", "contact")]
    [InlineData("/api/leads/states?include=all", "include")]
    [InlineData("/api/leads/automations?limit=5", "limit")]
    [InlineData("/api/synthex/leads/state?type=states&tenant=0123456789abcdef0123456789abcdef", "tenant")]
    public async Task A_query_parameter_an_operation_does_not_take_is_a_400_naming_it(string url, string parameter)
    {
        var response = await app.ClientFor(_tenant).GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task The_activity_feed_holds_to_the_contact_named_by_contact_id()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var active = await client.CreateContact("active@acme.test");
        var quiet = await client.CreateContact("quiet@acme.test");
        await client.RecordActivity(new { type = "page.viewed", contact_id = active });

        async Task<Guid[]> Feed(string query) => (await client.GetJson($"/api/leads/activities?{query}")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("contact_id").GetGuid()).ToArray();
        Assert.Empty(await Feed($"contact_id={quiet}"));
        Assert.Equal([active], await Feed($"contact_id={active}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/leads/activities?contactId={quiet}")).StatusCode);
    }

    [Fact]
    public async Task Another_tenants_contact_is_not_found_and_their_list_is_empty()
    {
        var id = (await (await app.ClientFor(_tenant).Post("/api/leads/contacts", new { email = "secret@example.com" })).Json()).GetProperty("id").GetGuid();
        var other = app.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/leads/contacts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Patch($"/api/leads/contacts/{id}", new { score = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/leads/contacts/{id}")).StatusCode);
        Assert.Equal(0, (await (await other.GetAsync("/api/leads/contacts")).Json()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Tags_are_added_and_removed_with_their_events_and_deleting_publishes_ContactDeleted()
    {
        var client = app.ClientFor(_tenant);
        var id = (await (await client.Post("/api/leads/contacts", new { email = "tagged@example.com" })).Json()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/leads/contacts/{id}/tags/Champion", null)).StatusCode);
        await app.Events.WaitFor<TagAdded>(e => e.ContactId == id && e.Tag == "champion");
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/leads/contacts/{id}/tags/champion")).StatusCode);
        await app.Events.WaitFor<TagRemoved>(e => e.ContactId == id && e.Tag == "champion");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/leads/contacts/{id}")).StatusCode);
        await app.Events.WaitFor<ContactDeleted>(e => e.ContactId == id);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/leads/contacts/{id}")).StatusCode);
    }
}

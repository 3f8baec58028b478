using System.Net;
using System.Text;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// Values that are valid JSON but not valid data: null where an object belongs, dates outside the range an activity can have,
/// numbers no double holds, NaN and infinities. Each is a 400 naming where it is, and nothing is written.
/// </summary>
public sealed class Refusing_values_out_of_range(LeadsApp app) : IClassFixture<LeadsApp>
{
    readonly Guid _tenant = Guid.NewGuid();

    static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<JsonElement> RefusedAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Json();
    }

    async Task AssertRefusedNamingAsync(HttpResponseMessage response, string field)
    {
        var problem = await RefusedAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    async Task<long> ActivitiesAsync() =>
        await app.Database.ScalarAsync<long>("select count(*) from leads.activities where tenant_id = $1", _tenant);

    [Theory]
    [InlineData("""{"activities":[null]}""", "activities[0]")]
    [InlineData("""{"activities":[{"type":"page.viewed","contact_email":"first@acme.test"},null]}""", "activities[1]")]
    public async Task A_null_in_a_batch_is_refused_naming_its_index(string body, string field)
    {
        await AssertRefusedNamingAsync(await app.ClientFor(_tenant).PostAsync("/api/leads/activities/batch", Raw(body)), field);
        Assert.Equal(0, await ActivitiesAsync());
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public async Task An_activity_dated_outside_1970_to_tomorrow_is_refused(string occurredAt)
    {
        var client = app.ClientFor(_tenant);
        var contact = await client.CreateContact($"dated-{Guid.NewGuid():N}@acme.test");

        await AssertRefusedNamingAsync(await client.Post("/api/leads/activities", new { type = "page.viewed", contact_id = contact, occurred_at = occurredAt }),
            "occurred_at");
        await AssertRefusedNamingAsync(await client.Post("/api/leads/activities/batch", new
        {
            activities = new object[] { new { type = "page.viewed", contact_id = contact }, new { type = "page.viewed", contact_id = contact, occurred_at = occurredAt } },
        }), "activities[1].occurred_at");
        Assert.Equal(0, await ActivitiesAsync());
    }

    [Fact]
    public async Task An_activity_dated_at_the_epoch_or_within_a_day_ahead_is_recorded()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var contact = await client.CreateContact("edges@acme.test");

        await client.RecordActivity(new { type = "imported", contact_id = contact, occurred_at = "1970-01-01T00:00:00Z" });
        await client.RecordActivity(new { type = "scheduled", contact_id = contact, occurred_at = DateTimeOffset.UtcNow.AddHours(23) });
    }

    [Fact]
    public async Task A_number_beyond_a_double_in_stored_json_is_refused_naming_where_it_is()
    {
        var client = app.ClientFor(_tenant);
        var contact = await client.CreateContact("numbers@acme.test");

        await AssertRefusedNamingAsync(await client.PostAsync("/api/leads/activities",
            Raw($$$"""{"type":"page.viewed","contact_id":"{{{contact}}}","metadata":{"n":1e309}}""")), "metadata.n");
        await AssertRefusedNamingAsync(await client.PostAsync("/api/leads/activities",
            Raw($$$$"""{"type":"page.viewed","contact_id":"{{{{contact}}}}","metadata":{"cart":{"items":[1,-1e400]}}}""")), "metadata.cart.items[1]");
        await AssertRefusedNamingAsync(await client.PostAsync("/api/leads/contacts", Raw("""{"email":"huge@acme.test","attributes":{"size":1e309}}""")),
            "attributes.size");
        await AssertRefusedNamingAsync(await client.PatchAsync($"/api/leads/contacts/{contact}", Raw("""{"attributes":{"size":[2e308]}}""")),
            "attributes.size[0]");
        await AssertRefusedNamingAsync(await client.PostAsync("/api/leads/automations", Raw("""
            {"name":"huge","trigger":"on_enter","state":"qualified","conditions":[{"field":"attributes.size","operator":"equals","value":1e309}],
             "actions":[{"type":"add_tag","tag":"hot"}]}
            """)), "conditions[0].value");
        await AssertRefusedNamingAsync(await client.PostAsync("/api/leads/automations", Raw($$$"""
            {"name":"huge","trigger":"on_enter","state":"qualified",
             "actions":[{"type":"start_workflow","workflow_id":"{{{Guid.NewGuid()}}}","variables":{"budget":1e309}}]}
            """)), "actions[0].variables.budget");

        Assert.Equal(0, await ActivitiesAsync());
        Assert.Equal(JsonValueKind.Object, (await client.Contact(contact)).GetProperty("attributes").ValueKind);
        Assert.Empty((await client.GetJson("/api/leads/automations")).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/leads/contacts?q=huge")).StatusCode);
        Assert.Equal(0, (await client.GetJson("/api/leads/contacts?q=huge")).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("\"3600\"")]
    [InlineData("1e10")]
    public async Task A_dormancy_period_that_is_not_a_finite_number_in_range_is_refused(string value)
    {
        var client = app.ClientFor(_tenant);
        var before = (await client.GetJson("/api/leads/settings")).GetProperty("dormancy_period_seconds").GetDouble();

        var problem = await RefusedAsync(await client.PutAsync("/api/leads/settings", Raw($$"""{"dormancy_period_seconds":{{value}}}""")));

        Assert.Contains("dormancy_period_seconds", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetJson("/api/leads/settings")).GetProperty("dormancy_period_seconds").GetDouble());
    }
}

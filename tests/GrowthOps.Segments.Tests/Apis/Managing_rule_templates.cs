using System.Net;
using System.Text.Json;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Managing_rule_templates(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static async Task<List<JsonElement>> Rules(HttpClient client, string query = "") =>
        (await Json(await client.GetAsync($"/api/segments/rules{query}"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();

    static JsonElement Named(List<JsonElement> rules, string name) => rules.Single(r => r.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Every_tenant_starts_with_the_five_default_templates_of_the_seed()
    {
        var rules = await Rules(app.ClientFor(Guid.NewGuid()));

        Assert.Equal(["High Score", "Recent Activity", "Email Verified", "Multiple Purchases", "New Lead"], rules.Select(r => r.GetProperty("name").GetString()));
        Assert.All(rules, r => Assert.True(r.GetProperty("is_default").GetBoolean()));
        var high = Named(rules, "High Score");
        Assert.Equal(("engagement", "ai_score", "greater_than", 80), (high.GetProperty("category").GetString(), high.GetProperty("field").GetString(),
            high.GetProperty("operator").GetString(), high.GetProperty("value").GetInt32()));
        Assert.Equal("7 days ago", Named(rules, "Recent Activity").GetProperty("value").GetString());
        Assert.True(Named(rules, "Email Verified").GetProperty("value").GetBoolean());
        Assert.Equal(("lifecycle", "new"), (Named(rules, "New Lead").GetProperty("category").GetString(), Named(rules, "New Lead").GetProperty("value").GetString()));

        var value = Assert.Single(await Rules(app.ClientFor(Guid.NewGuid()), "?category=value"));
        Assert.Equal(("Multiple Purchases", "purchase_count", 3), (value.GetProperty("name").GetString(), value.GetProperty("field").GetString(),
            value.GetProperty("value").GetInt32()));
        await Json(await app.ClientFor(Guid.NewGuid()).GetAsync("/api/segments/rules?category=nonsense"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task First_uses_at_the_same_time_put_the_defaults_in_once()
    {
        var tenant = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Rules(app.ClientFor(tenant))));

        Assert.Equal(5, (await Rules(app.ClientFor(tenant))).Count);
    }

    [Fact]
    public async Task A_tenant_edits_and_deletes_its_defaults_and_a_deleted_one_does_not_come_back()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var rules = await Rules(client);
        var high = Id(Named(rules, "High Score"));
        var newLead = Id(Named(rules, "New Lead"));

        var edited = await Json(await client.PatchAsync($"/api/segments/rules/{high}", Body("""{"value": 90, "description": "Score above 90"}""")),
            HttpStatusCode.OK);
        Assert.Equal((90, "Score above 90", "ai_score"), (edited.GetProperty("value").GetInt32(), edited.GetProperty("description").GetString(),
            edited.GetProperty("field").GetString()));
        await Json(await client.DeleteAsync($"/api/segments/rules/{newLead}"), HttpStatusCode.NoContent);

        var after = await Rules(client);
        Assert.Equal(4, after.Count);
        Assert.DoesNotContain(after, r => r.GetProperty("name").GetString() == "New Lead");
        Assert.Equal(90, (await Json(await client.GetAsync($"/api/segments/rules/{high}"), HttpStatusCode.OK)).GetProperty("value").GetInt32());
        await Json(await client.GetAsync($"/api/segments/rules/{newLead}"), HttpStatusCode.NotFound);
        await Json(await client.DeleteAsync($"/api/segments/rules/{newLead}"), HttpStatusCode.NotFound);

        // Another tenant still has all five, unedited, and cannot reach this tenant's.
        var other = app.ClientFor(Guid.NewGuid());
        var theirs = await Rules(other);
        Assert.Equal(5, theirs.Count);
        Assert.Equal(80, Named(theirs, "High Score").GetProperty("value").GetInt32());
        await Json(await other.GetAsync($"/api/segments/rules/{high}"), HttpStatusCode.NotFound);
        await Json(await other.PatchAsync($"/api/segments/rules/{high}", Body("""{"value": 1}""")), HttpStatusCode.NotFound);
        await Json(await other.DeleteAsync($"/api/segments/rules/{high}"), HttpStatusCode.NotFound);
        Assert.Equal(90, (await Json(await client.GetAsync($"/api/segments/rules/{high}"), HttpStatusCode.OK)).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Creates_a_rule_checked_by_the_criteria_compiler_with_the_exact_member_at_fault()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var created = await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "Pro plan", "category": "demographic", "field": "attributes.plan", "operator": "equals", "value": "pro"}
            """)), HttpStatusCode.Created);
        Assert.False(created.GetProperty("is_default").GetBoolean());
        Assert.Equal("attributes.plan", created.GetProperty("field").GetString());

        var badOperator = (await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "Bad", "category": "engagement", "field": "ai_score", "operator": "gt", "value": 80}
            """)), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal("unknown operator 'gt'", badOperator.GetProperty("operator")[0].GetString());
        var badValue = (await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "Bad", "category": "engagement", "field": "ai_score", "operator": "greater_than", "value": "high"}
            """)), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal("expected a number", badValue.GetProperty("value")[0].GetString());
        var badField = (await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "Bad", "category": "nonsense", "field": "nope", "operator": "equals", "value": 1}
            """)), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(badField.TryGetProperty("category", out _));
        var missing = (await Json(await client.PostAsync("/api/segments/rules", Body("""{"category": "value"}""")), HttpStatusCode.BadRequest))
            .GetProperty("errors");
        Assert.True(missing.TryGetProperty("name", out _) && missing.TryGetProperty("field", out _) && missing.TryGetProperty("operator", out _));
        var unknownField = (await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "Bad", "category": "value", "field": "nope", "operator": "equals", "value": 1}
            """)), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(unknownField.TryGetProperty("field", out _));
        await Json(await client.PatchAsync($"/api/segments/rules/{Id(created)}", Body("""{"operator": "between"}""")), HttpStatusCode.BadRequest);
        await Json(await client.PostAsync("/api/segments/rules", Body("""
            {"name": "high score", "category": "engagement", "field": "ai_score", "operator": "greater_than", "value": 50}
            """)), HttpStatusCode.Conflict);

        Assert.Equal(6, (await Rules(client)).Count);
        var nulls = await Json(await client.PatchAsync($"/api/segments/rules/{Id(created)}", Body("""{"operator": "is_null"}""")), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, nulls.GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task A_segment_built_from_rules_keeps_their_conditions_when_the_rules_change_later()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(app, tenant, "Ada", "Bob");
        var rules = await Rules(client);
        var newLead = Id(Named(rules, "New Lead"));
        var verified = Id(Named(rules, "Email Verified"));

        var segment = await Json(await client.PostAsync("/api/segments/segments", Body($$"""
            {"name": "Fresh and verified", "type": "lifecycle", "rule_ids": ["{{newLead}}", "{{verified}}"], "criteria_logic": "AND"}
            """)), HttpStatusCode.Created);
        Assert.Equal(2, segment.GetProperty("member_count").GetInt32());
        var criteria = segment.GetProperty("criteria").EnumerateArray().ToList();
        Assert.Equal([("status", "equals"), ("email_verified", "equals")],
            criteria.Select(c => (c.GetProperty("field").GetString(), c.GetProperty("operator").GetString())));

        await Json(await client.PatchAsync($"/api/segments/rules/{newLead}", Body("""{"value": "qualified"}""")), HttpStatusCode.OK);
        await Json(await client.DeleteAsync($"/api/segments/rules/{verified}"), HttpStatusCode.NoContent);
        var refreshed = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/refresh", null), HttpStatusCode.OK);
        Assert.Equal(2, refreshed.GetProperty("member_count").GetInt32());
        var stored = await Json(await client.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.OK);
        Assert.Equal("new", stored.GetProperty("criteria")[0].GetProperty("value").GetString());
        Assert.Equal(ids.Count, stored.GetProperty("member_count").GetInt32());
    }

    [Fact]
    public async Task Bad_rule_ids_are_a_400_and_nothing_is_saved()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var rule = Id((await Rules(client))[0]);
        var otherTenantsRule = Id((await Rules(app.ClientFor(Guid.NewGuid())))[0]);

        var unknown = (await Json(await client.PostAsync("/api/segments/segments", Body($$"""
            {"name": "S", "rule_ids": ["{{rule}}", "{{otherTenantsRule}}"]}
            """)), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal($"rule {otherTenantsRule} does not exist", unknown.GetProperty("rule_ids[1]")[0].GetString());
        foreach (var body in new[]
                 {
                     $$"""{"name": "S", "rule_ids": ["{{rule}}"], "criteria": [{"field": "score", "operator": "greater_than", "value": 1}]}""",
                     $$"""{"name": "S", "kind": "static", "rule_ids": ["{{rule}}"]}""",
                     """{"name": "S", "rule_ids": []}""",
                     $$"""{"name": "S", "rule_ids": [{{string.Join(", ", Enumerable.Range(0, 101).Select(_ => $"\"{rule}\""))}}]}""",
                     $$"""{"rule_ids": ["{{rule}}"]}""",
                     $$"""{"name": "S", "rule_ids": ["{{rule}}"], "criteria_logic": "XOR"}""",
                 })
        {
            var errors = (await Json(await client.PostAsync("/api/segments/segments", Body(body)), HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.True(errors.EnumerateObject().Any(), body);
        }

        var existing = Id(await DynamicSegment(client, "Adas", "Ada"));
        await Json(await client.PatchAsync($"/api/segments/segments/{existing}", Body($$"""{"rule_ids": ["{{rule}}"]}""")), HttpStatusCode.BadRequest);
        var segments = (await Json(await client.GetAsync("/api/segments/segments"), HttpStatusCode.OK)).GetProperty("items");
        Assert.Equal([existing], segments.EnumerateArray().Select(Id));
    }
}

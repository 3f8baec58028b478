using System.Net;
using System.Text.Json;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsClient;

namespace GrowthOps.Segments.Tests.Apis;

/// <summary>The seed's <c>/api/synthex/segments</c> routes, with the seed's request bodies verbatim, answered as the REST routes answer.</summary>
public sealed class Using_the_seed_routes(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    const string Route = "/api/synthex/segments";

    [Fact]
    public async Task The_seed_example_creates_a_dynamic_segment_with_its_members()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var now = DateTimeOffset.UtcNow;
        var hot = Snapshot(Guid.CreateVersion7(), 1) with { AiScore = 92, LastInteractionAt = now.AddDays(-1) };
        var stale = Snapshot(Guid.CreateVersion7(), 1) with { AiScore = 95, LastInteractionAt = now.AddDays(-30) };
        var cold = Snapshot(Guid.CreateVersion7(), 1) with { AiScore = 10, LastInteractionAt = now.AddDays(-1) };
        await app.Contacts(tenant, hot, stale, cold);

        var created = await client.PostJson(Route, $$"""
            {
              "tenantId": "{{tenant}}",
              "action": "create_segment",
              "segment_name": "High-Value Active Users",
              "segment_type": "value",
              "criteria": [
                { "field": "ai_score", "operator": "greater_than", "value": 80 },
                { "field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago" }
              ],
              "criteria_logic": "AND",
              "use_ai_refinement": true,
              "auto_refresh": true,
              "refresh_interval_hours": 24
            }
            """, HttpStatusCode.Created);
        Assert.Equal(("High-Value Active Users", "value", "dynamic", 1), (created.GetProperty("name").GetString(), created.GetProperty("type").GetString(),
            created.GetProperty("kind").GetString(), created.GetProperty("member_count").GetInt32()));
        Assert.True(created.GetProperty("use_ai_refinement").GetBoolean());
        Assert.Equal(24, created.GetProperty("refresh_interval_hours").GetInt32());

        // The same handler as the REST route: the same answer.
        var viaSeed = await client.GetJson($"{Route}?type=segment&segment_id={created.Id()}");
        var viaRest = await client.GetJson($"/api/segments/segments/{created.Id()}");
        Assert.Equal(viaRest.GetRawText(), viaSeed.GetRawText());
        var members = await client.GetJson($"{Route}?type=members&segmentId={created.Id()}&tenantId={tenant}");
        Assert.Equal([hot.Id], members.Items().Select(m => m.GetProperty("contact_id").GetGuid()));
        Assert.Equal([created.Id()], (await client.GetJson($"{Route}?type=list")).Items().Select(e => e.Id()));
    }

    [Fact]
    public async Task A_tenantId_that_is_not_the_tokens_is_forbidden_and_changes_nothing()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.PostAsync(Route, Body($$"""
            {"tenantId": "{{Guid.NewGuid()}}", "action": "create_segment", "segment_name": "Sneaky", "criteria": [{"field": "score", "operator": "greater_than", "value": 1}]}
            """));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var get = await client.GetAsync($"{Route}?type=list&tenantId={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Empty((await client.GetJson($"{Route}?type=list")).Items());
    }

    [Fact]
    public async Task Every_served_type_and_action_answers_as_its_rest_route()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ada = Snapshot(Guid.CreateVersion7(), 1, "Ada");
        var bob = Snapshot(Guid.CreateVersion7(), 1, "Bob") with { Email = "bob@example.com" };
        await app.Contacts(tenant, ada, bob);

        var dynamic = (await client.PostJson(Route, """
            {"action": "create_segment", "segmentName": "Adas", "segmentType": "demographic",
             "criteria": [{"field": "first_name", "operator": "equals", "value": "Ada"}]}
            """, HttpStatusCode.Created)).Id();
        var picked = (await client.PostJson(Route, """{"action": "create_segment", "name": "Picked", "kind": "static"}""", HttpStatusCode.Created)).Id();

        var added = await client.PostJson(Route, $$"""{"action": "add_member", "segment_id": "{{picked}}", "contact_id": "{{ada.Id}}"}""", HttpStatusCode.OK);
        Assert.Equal(1, added.GetProperty("added").GetInt32());
        var byEmail = await client.PostJson(Route, $$"""{"action": "add_member", "segmentId": "{{picked}}", "email": "BOB@example.com", "emails": ["nobody@example.com"]}""",
            HttpStatusCode.OK);
        Assert.Equal((1, 1), (byEmail.GetProperty("added").GetInt32(), byEmail.GetProperty("not_found").GetInt32()));
        await client.PostJson(Route, $$"""{"action": "add_member", "segment_id": "{{dynamic}}", "contact_id": "{{bob.Id}}"}""", HttpStatusCode.UnprocessableEntity);

        var ofAda = await client.GetJson($"{Route}?type=member_segments&contact_id={ada.Id}");
        Assert.Equal(new HashSet<Guid> { dynamic, picked }, ofAda.GetProperty("member_segments").EnumerateArray().Select(s => s.GetProperty("segment_id").GetGuid()).ToHashSet());
        Assert.Equal([bob.Id], (await client.GetJson($"{Route}?type=members&segment_id={picked}&q=bob")).Items().Select(m => m.GetProperty("contact_id").GetGuid()));

        var audiences = (await client.GetJson($"{Route}?type=audience")).Items().ToList();
        Assert.Equal(new Dictionary<Guid, int> { [dynamic] = 1, [picked] = 2 }, audiences.ToDictionary(e => e.Id(), a => a.GetProperty("member_count").GetInt32()));

        var evaluated = await client.PostJson(Route, $$"""{"action": "evaluate", "leadId": "{{bob.Id}}", "segment_id": "{{dynamic}}"}""", HttpStatusCode.OK);
        Assert.False(evaluated.GetProperty("matched").GetBoolean());
        var refreshed = await client.PostJson(Route, $$"""{"action": "refresh", "segment_id": "{{dynamic}}"}""", HttpStatusCode.OK);
        Assert.Equal(1, refreshed.GetProperty("member_count").GetInt32());
        var updated = await client.PostJson(Route, $$"""{"action": "update_segment", "segment_id": "{{dynamic}}", "segment_name": "Only Adas", "description": "renamed"}""",
            HttpStatusCode.OK);
        Assert.Equal(("Only Adas", "renamed"), (updated.GetProperty("name").GetString(), updated.GetProperty("description").GetString()));

        var removed = await client.PostJson(Route, $$"""{"action": "remove_member", "segment_id": "{{picked}}", "contact_ids": ["{{ada.Id}}"], "email": "bob@example.com"}""",
            HttpStatusCode.OK);
        Assert.Equal(2, removed.GetProperty("removed").GetInt32());
        var archived = await client.PostJson(Route, $$"""{"action": "archive_segment", "segment_id": "{{dynamic}}"}""", HttpStatusCode.OK);
        Assert.Equal("archived", archived.GetProperty("status").GetString());
        Assert.Equal([picked], (await client.GetJson($"{Route}?type=audience")).Items().Select(e => e.Id()));
        Assert.Equal([dynamic], (await client.GetJson($"{Route}?type=list&status=archived")).Items().Select(e => e.Id()));

        var deleted = await client.PostAsync(Route, Body($$"""{"action": "delete_segment", "id": "{{picked}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await client.GetJson($"{Route}?type=segment&segment_id={picked}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Stats_rules_snapshots_and_overlaps_answer_as_their_rest_routes()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        await app.Contacts(tenant, Snapshot(Guid.CreateVersion7(), 1, "Ada") with { Score = 90 }, Snapshot(Guid.CreateVersion7(), 1, "Bob") with { Score = 10 });
        var high = (await client.PostJson(Route, """{"action": "create_segment", "segment_name": "High", "criteria": [{"field": "score", "operator": "greater_than", "value": 50}]}""",
            HttpStatusCode.Created)).Id();
        var all = (await client.PostJson(Route, """{"action": "create_segment", "segment_name": "All", "criteria": [{"field": "score", "operator": "greater_than_or_equals", "value": 0}]}""",
            HttpStatusCode.Created)).Id();

        var stats = await client.GetJson($"{Route}?type=stats&days=7");
        Assert.Equal((await client.GetJson("/api/segments/stats?days=7")).GetProperty("total_segments").GetInt32(), stats.GetProperty("total_segments").GetInt32());
        Assert.Equal(2, stats.GetProperty("total_segments").GetInt32());
        await client.GetJson($"{Route}?type=stats&days=0", HttpStatusCode.BadRequest);

        var rules = (await client.GetJson($"{Route}?type=rules")).Items().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Contains("High Score", rules);
        var rule = await client.PostJson(Route, """{"action": "create_rule", "rule_name": "Gmail", "category": "demographic", "field": "email", "operator": "contains", "value": "@gmail"}""",
            HttpStatusCode.Created);
        Assert.Equal("Gmail", rule.GetProperty("name").GetString());
        Assert.Equal(["Gmail"], (await client.GetJson($"{Route}?type=rules&category=demographic")).Items()
            .Select(r => r.GetProperty("name").GetString()).Where(n => n == "Gmail"));
        var badRule = await client.PostJson(Route, """{"action": "create_rule", "name": "Bad", "category": "value", "field": "score", "operator": "gt", "value": 1}""",
            HttpStatusCode.BadRequest);
        Assert.True(badRule.GetProperty("errors").TryGetProperty("operator", out _));

        var snapshot = await client.PostJson(Route, $$"""{"action": "create_snapshot", "segmentId": "{{high}}", "type": "manual"}""", HttpStatusCode.Created);
        Assert.Equal(1, snapshot.GetProperty("member_count").GetInt32());
        await client.PostJson(Route, $$"""{"action": "create_snapshot", "segment_id": "{{high}}", "type": "scheduled"}""", HttpStatusCode.BadRequest);
        Assert.Equal([snapshot.Id()], (await client.GetJson($"{Route}?type=snapshots&segmentId={high}")).Items().Select(s => s.Id()));
        await client.GetJson($"{Route}?type=snapshots", HttpStatusCode.BadRequest);

        var overlap = await client.PostJson(Route, $$"""{"action": "calculate_overlap", "segmentAId": "{{high}}", "segmentBId": "{{all}}"}""", HttpStatusCode.OK);
        Assert.Equal((1, 1, 2), (overlap.GetProperty("intersection_count").GetInt32(), overlap.GetProperty("a_count").GetInt32(),
            overlap.GetProperty("b_count").GetInt32()));
        Assert.Equal(0.5, overlap.GetProperty("jaccard").GetDouble(), 6);

        // Another tenant sees none of it.
        var other = app.ClientFor(Guid.NewGuid());
        await other.GetJson($"{Route}?type=snapshots&segment_id={high}", HttpStatusCode.NotFound);
        await other.PostJson(Route, $$"""{"action": "calculate_overlap", "segment_a_id": "{{high}}", "segment_b_id": "{{all}}"}""", HttpStatusCode.NotFound);
        Assert.Equal(0, (await other.GetJson($"{Route}?type=stats")).GetProperty("total_segments").GetInt32());
    }

    [Fact]
    public async Task An_unknown_type_is_a_400_listing_every_served_one()
    {
        var response = await app.ClientFor(Guid.NewGuid()).GetAsync($"{Route}?type=nonsense");
        var problem = await response.Json(HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("type")[0].GetString()!;
        Assert.Equal("must be one of stats, list, segment, members, member_segments, rules, snapshots, audience", message);
    }

    [Fact]
    public async Task An_unknown_action_is_a_400_listing_every_served_one()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var problem = await client.PostJson(Route, $$"""{"action": "explode", "segment_id": "{{Guid.NewGuid()}}"}""", HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("action")[0].GetString()!;
        Assert.Equal("must be one of create_segment, update_segment, delete_segment, archive_segment, add_member, remove_member, evaluate, refresh, " +
                     "create_rule, create_snapshot, calculate_overlap", message);
    }

    [Theory]
    [InlineData("""{"action":1}""", "action")]
    [InlineData("""{"segment_name":"No action"}""", "action")]
    [InlineData("""{"action":"create_segment","tenantId":42}""", "tenant_id")]
    [InlineData("""{"action":"create_segment","tenantId":"not-a-tenant"}""", "tenant_id")]
    [InlineData("""{"action":"create_segment","tenantId":null,"tenant_id":null}""", "tenant_id")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","name":"other","kind":"static"}""", "segment_name")]
    [InlineData("""{"action":"create_segment","segment_name":5,"kind":"static"}""", "segment_name")]
    [InlineData("""{"action":"create_segment","name":5,"kind":"static"}""", "name")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","auto_refresh":"yes"}""", "auto_refresh")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","criteria":[{"field":"score","operator":"gt","value":1}]}""", "criteria[0].operator")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","segment_type":"cosmic","kind":"static"}""", "type")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","refresh_interval_hours":0}""", "refresh_interval_hours")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","segment_id":7}""", "segment_id")]
    // Found by the fuzzer: envelope members an action does not use were accepted whatever their type.
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","emails":[null]}""", "emails[0]")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","emails":["a@example.com",7]}""", "emails[1]")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","email":[1]}""", "email")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","contact_ids":true}""", "contact_ids")]
    [InlineData("""{"action":"create_segment","segment_name":"ok_name","kind":"static","contact_ids":["nope"]}""", "contact_ids[0]")]
    [InlineData("""{"action":"archive_segment","segment_id":"0123456789abcdef0123456789abcdef","segment_type":false}""", "segment_type")]
    [InlineData("""{"action":"update_segment","name":"ok_name"}""", "segment_id")]
    [InlineData("""{"action":"delete_segment","id":false}""", "segment_id")]
    [InlineData("""{"action":"add_member","segment_id":"0123456789abcdef0123456789abcdef","contact_id":[]}""", "contact_id")]
    [InlineData("""{"action":"add_member","segment_id":"0123456789abcdef0123456789abcdef","email":{}}""", "email")]
    [InlineData("""{"action":"add_member","segment_id":"0123456789abcdef0123456789abcdef","contact_ids":["nope"]}""", "contact_ids[0]")]
    [InlineData("""{"action":"add_member","segment_id":"0123456789abcdef0123456789abcdef"}""", "contact_ids")]
    [InlineData("""{"action":"evaluate","contact_id":true}""", "contact_id")]
    [InlineData("""{"action":"evaluate","lead_id":"0123456789abcdef0123456789abcdef","contact_id":"0123456789abcdef0123456789abcdef"}""", "lead_id")]
    [InlineData("""{"action":"refresh"}""", "segment_id")]
    public async Task A_bad_member_is_a_400_naming_it_and_nothing_is_saved(string body, string field)
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.PostAsync(Route, Body(body));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{body} → {errors.GetRawText()}");
        Assert.Empty((await client.GetJson($"{Route}?type=list")).Items());
    }

    [Fact]
    public async Task An_envelope_list_over_its_limit_is_refused_whatever_the_action()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var emails = string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"e{i}@example.com\""));
        var problem = await client.PostJson(Route, $$"""{"action":"create_segment","segment_name":"ok_name","kind":"static","emails":[{{emails}}]}""",
            HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("emails", out _), problem.GetRawText());
        Assert.Empty((await client.GetJson($"{Route}?type=list")).Items());
    }

    [Fact]
    public async Task The_get_route_takes_snake_or_camel_case_and_nothing_else()
    {
        var client = app.ClientFor(Guid.NewGuid());
        foreach (var (query, parameter) in new[]
                 {
                     ("type=list&segment=1", "segment"), ($"type=segment&segment_id={Guid.NewGuid()}&segmentId={Guid.NewGuid()}", "segmentId"),
                     ("type=list&type=audience", "type"), ("type=segment", "segment_id"), ("type=member_segments", "contact_id"), ("", "type"),
                     ("type=list&segment_type=cosmic", "type"),
                 })
        {
            var problem = await (await client.GetAsync($"{Route}?{query}")).Json(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"{query} → {problem.GetRawText()}");
        }

        await client.GetJson($"{Route}?type=segment&segment_id=not-a-segment", HttpStatusCode.BadRequest);
        await client.GetJson($"{Route}?type=list&segmentType=value&limit=5");
    }

    [Fact]
    public async Task Another_tenants_segment_is_not_found_through_the_seed_routes()
    {
        var owner = Guid.NewGuid();
        var contact = Snapshot(Guid.CreateVersion7(), 1, "Ada");
        await app.Contacts(owner, contact);
        var mine = (await app.ClientFor(owner).PostJson(Route, """{"action": "create_segment", "name": "Mine", "kind": "static"}""", HttpStatusCode.Created)).Id();
        await app.ClientFor(owner).PostJson(Route, $$"""{"action": "add_member", "segment_id": "{{mine}}", "contact_id": "{{contact.Id}}"}""", HttpStatusCode.OK);

        var other = app.ClientFor(Guid.NewGuid());
        await other.GetJson($"{Route}?type=segment&segment_id={mine}", HttpStatusCode.NotFound);
        await other.GetJson($"{Route}?type=members&segment_id={mine}", HttpStatusCode.NotFound);
        await other.GetJson($"{Route}?type=member_segments&contact_id={contact.Id}", HttpStatusCode.NotFound);
        Assert.Empty((await other.GetJson($"{Route}?type=audience")).Items());
        foreach (var action in new[] { "update_segment", "archive_segment", "refresh", "delete_segment" })
            await other.PostJson(Route, $$"""{"action": "{{action}}", "segment_id": "{{mine}}", "description": "hijacked"}""", HttpStatusCode.NotFound);
        await other.PostJson(Route, $$"""{"action": "remove_member", "segment_id": "{{mine}}", "contact_id": "{{contact.Id}}"}""", HttpStatusCode.NotFound);

        var still = await app.ClientFor(owner).GetJson($"/api/segments/segments/{mine}");
        Assert.Equal((JsonValueKind.Null, "active", 1), (still.GetProperty("description").ValueKind, still.GetProperty("status").GetString(),
            still.GetProperty("member_count").GetInt32()));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Segments;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Segments;

public sealed class Managing_segments(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    const string Adas = """{"field": "first_name", "operator": "equals", "value": "Ada"}""";

    /// <summary>Contacts in the tenant's read model, as Leads' events would leave them: first names as given.</summary>
    async Task<List<Guid>> Contacts(Guid tenant, params string[] firstNames)
    {
        var ids = firstNames.Select(_ => Guid.CreateVersion7()).ToList();
        await app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            for (var i = 0; i < ids.Count; i++)
                await updater.ApplyAsync(Snapshot(ids[i], 1, firstNames[i]), default);
        });
        return ids;
    }

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    static async Task<JsonElement> Create(HttpClient client, string name, string criteria = $"[{Adas}]", string extra = "") =>
        await Json(await client.PostAsync("/api/segments/segments", Body(
            $$"""{"name": "{{name}}", "type": "demographic", "criteria": {{criteria}}, "criteria_logic": "AND"{{extra}}}""")), HttpStatusCode.Created);

    static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    static async Task<HashSet<Guid>> MemberIds(HttpClient client, Guid segment) =>
        (await Json(await client.GetAsync($"/api/segments/segments/{segment}/members?limit=200"), HttpStatusCode.OK)).GetProperty("items")
        .EnumerateArray().Select(m => m.GetProperty("contact_id").GetGuid()).ToHashSet();

    [Fact]
    public async Task Creating_a_dynamic_segment_computes_its_members_and_publishes_them_in_one_batch()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada", "ada", "Bob");

        var segment = await Create(client, "Adas");
        Assert.Equal(2, segment.GetProperty("member_count").GetInt32());
        Assert.Equal("active", segment.GetProperty("status").GetString());
        Assert.Equal("dynamic", segment.GetProperty("kind").GetString());
        Assert.Equal(ids.Take(2).ToHashSet(), await MemberIds(client, Id(segment)));
        var batch = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == Id(segment));
        Assert.Equal(ids.Take(2).Order(), batch.Entered.Order());
        Assert.Empty(batch.Exited);
        Assert.Equal((1, 1, "created", tenant), (batch.Batch, batch.Batches, batch.Reason, batch.TenantId));

        var got = await Json(await client.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.OK);
        Assert.Equal("Ada", got.GetProperty("criteria")[0].GetProperty("value").GetString());
        Assert.Equal("AND", got.GetProperty("criteria_logic").GetString());
    }

    [Fact]
    public async Task Bad_criteria_are_a_400_naming_the_exact_path_and_nothing_is_saved()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Bad", "criteria": [{"field": "ai_score", "operator": "greater_than", "value": 80},
                                         {"field": "ai_score", "operator": "gt", "value": 80}], "type": "nonsense"}
            """));
        var errors = (await Json(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal("unknown operator 'gt'", errors.GetProperty("criteria[1].operator")[0].GetString());
        Assert.True(errors.TryGetProperty("type", out _));
        var missing = (await Json(await client.PostAsync("/api/segments/segments", Body("""{"name": "No criteria"}""")), HttpStatusCode.BadRequest))
            .GetProperty("errors");
        Assert.True(missing.TryGetProperty("criteria", out _));
        Assert.Empty((await Json(await client.GetAsync("/api/segments/segments"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Another_tenants_segment_is_not_found()
    {
        var segment = await Create(app.ClientFor(Guid.NewGuid()), "Mine");
        var other = app.ClientFor(Guid.NewGuid());
        await Json(await other.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.NotFound);
        await Json(await other.DeleteAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.NotFound);
        await Json(await other.PostAsync($"/api/segments/segments/{Id(segment)}/refresh", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Lists_filter_by_type_and_status_and_page_newest_first()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var a = await Create(client, "A");
        var b = await Create(client, "B");
        var c = await Json(await client.PostAsync("/api/segments/segments", Body("""{"name": "C", "type": "value", "kind": "static"}""")), HttpStatusCode.Created);
        await Json(await client.PostAsync($"/api/segments/segments/{Id(a)}/archive", null), HttpStatusCode.OK);

        var first = await Json(await client.GetAsync("/api/segments/segments?limit=2"), HttpStatusCode.OK);
        Assert.Equal([Id(c), Id(b)], first.GetProperty("items").EnumerateArray().Select(Id));
        var next = first.GetProperty("next_cursor").GetString();
        var second = await Json(await client.GetAsync($"/api/segments/segments?limit=2&cursor={next}"), HttpStatusCode.OK);
        Assert.Equal([Id(a)], second.GetProperty("items").EnumerateArray().Select(Id));
        Assert.Equal([Id(c)], (await Json(await client.GetAsync("/api/segments/segments?type=value"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(Id));
        Assert.Equal([Id(a)], (await Json(await client.GetAsync("/api/segments/segments?status=archived"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(Id));
        await Json(await client.GetAsync("/api/segments/segments?status=gone"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Editing_criteria_recomputes_members_and_names_stay_unique()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada", "Bob");
        var segment = await Create(client, "People");
        await Create(client, "Taken");

        var edited = await Json(await client.PatchAsync($"/api/segments/segments/{Id(segment)}", Body("""
            {"criteria": {"logic": "NOT", "conditions": [{"field": "first_name", "operator": "equals", "value": "Ada"}]}, "description": "not Ada"}
            """)), HttpStatusCode.OK);
        Assert.Equal(1, edited.GetProperty("member_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, edited.GetProperty("criteria_logic").ValueKind);
        Assert.Equal([ids[1]], await MemberIds(client, Id(segment)));
        var batch = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == Id(segment) && b.Reason == "criteria_changed");
        Assert.Equal([ids[1]], batch.Entered);
        Assert.Equal([ids[0]], batch.Exited);

        await Json(await client.PatchAsync($"/api/segments/segments/{Id(segment)}", Body("""{"name": "taken"}""")), HttpStatusCode.Conflict);
        var bad = await Json(await client.PatchAsync($"/api/segments/segments/{Id(segment)}", Body("""{"criteria": [{"field": "nope", "operator": "equals", "value": 1}]}""")),
            HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("criteria[0].field", out _));

        var copy = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/duplicate", null), HttpStatusCode.Created);
        Assert.Equal(("People (copy)", 1), (copy.GetProperty("name").GetString(), copy.GetProperty("member_count").GetInt32()));

        await Json(await client.DeleteAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.NoContent);
        await Json(await client.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Static_members_are_added_and_removed_by_id_or_email()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada", "Bob", "Cy");
        var segment = await Json(await client.PostAsync("/api/segments/segments", Body("""{"name": "Picked", "kind": "static"}""")), HttpStatusCode.Created);

        var added = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/members", Body($$"""
            {"contact_ids": ["{{ids[0]}}", "{{Guid.NewGuid()}}"], "emails": ["C-{{ids[1]:N}}@EXAMPLE.com", "nobody@example.com"]}
            """)), HttpStatusCode.OK);
        Assert.Equal((2, 2), (added.GetProperty("added").GetInt32(), added.GetProperty("not_found").GetInt32()));
        Assert.Equal(ids.Take(2).ToHashSet(), await MemberIds(client, Id(segment)));
        Assert.Equal(2, (await Json(await client.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.OK)).GetProperty("member_count").GetInt32());

        var ofContact = await Json(await client.GetAsync($"/api/segments/contacts/{ids[0]}/segments"), HttpStatusCode.OK);
        var only = Assert.Single(ofContact.GetProperty("member_segments").EnumerateArray());
        Assert.Equal((Id(segment), "static"), (only.GetProperty("segment_id").GetGuid(), only.GetProperty("source").GetString()));

        await Json(await client.DeleteAsync($"/api/segments/segments/{Id(segment)}/members/{ids[0]}"), HttpStatusCode.NoContent);
        await Json(await client.DeleteAsync($"/api/segments/segments/{Id(segment)}/members/{ids[0]}"), HttpStatusCode.NotFound);
        var removed = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/members/remove", Body($$"""{"contact_ids": ["{{ids[1]}}"]}""")),
            HttpStatusCode.OK);
        Assert.Equal(1, removed.GetProperty("removed").GetInt32());
        Assert.Empty(await MemberIds(client, Id(segment)));

        var dynamic = await Create(client, "Adas");
        await Json(await client.PostAsync($"/api/segments/segments/{Id(dynamic)}/members", Body($$"""{"contact_ids": ["{{ids[2]}}"]}""")),
            HttpStatusCode.UnprocessableEntity);
        await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/members", Body("{}")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Evaluate_explains_a_dry_run_against_criteria_or_a_saved_segment()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada");
        var given = await Json(await client.PostAsync("/api/segments/evaluate", Body($$"""
            {"contact_id": "{{ids[0]}}", "criteria": [{{Adas}}, {"field": "score", "operator": "greater_than", "value": 50}], "criteria_logic": "OR"}
            """)), HttpStatusCode.OK);
        Assert.True(given.GetProperty("matched").GetBoolean());
        var conditions = given.GetProperty("explanation").GetProperty("conditions");
        Assert.Equal([true, false], conditions.EnumerateArray().Select(c => c.GetProperty("matched").GetBoolean()));

        var segment = await Create(client, "Bobs", """[{"field": "first_name", "operator": "equals", "value": "Bob"}]""");
        var saved = await Json(await client.PostAsync("/api/segments/evaluate", Body($$"""{"contact_id": "{{ids[0]}}", "segment_id": "{{Id(segment)}}"}""")),
            HttpStatusCode.OK);
        Assert.False(saved.GetProperty("matched").GetBoolean());
        await Json(await client.PostAsync("/api/segments/evaluate", Body($$"""{"contact_id": "{{Guid.NewGuid()}}", "segment_id": "{{Id(segment)}}"}""")),
            HttpStatusCode.NotFound);
        await Json(await client.PostAsync("/api/segments/evaluate", Body($$"""{"contact_id": "{{ids[0]}}"}""")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Refresh_reports_who_was_added_and_removed()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada", "Ada", "Bob");
        var segment = await Create(client, "Adas");
        // Drift the stored membership behind the service's back: one member lost, one wrong member.
        await app.InTenantAsync(tenant, services =>
        {
            var unitOfWork = services.GetRequiredService<UnitOfWork>();
            return unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                delete from segments.segment_membership where contact_id = @lost;
                insert into segments.segment_membership (tenant_id, segment_id, contact_id, source) values (segments.current_tenant(), @segment, @wrong, 'dynamic');
                """, new { lost = ids[0], wrong = ids[2], segment = Id(segment) }));
        });

        var refreshed = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/refresh", null), HttpStatusCode.OK);
        Assert.Equal((1, 1, 2), (refreshed.GetProperty("added").GetInt32(), refreshed.GetProperty("removed").GetInt32(),
            refreshed.GetProperty("member_count").GetInt32()));
        Assert.True(refreshed.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal(ids.Take(2).ToHashSet(), await MemberIds(client, Id(segment)));
        var again = await Json(await client.PostAsync($"/api/segments/segments/{Id(segment)}/refresh", null), HttpStatusCode.OK);
        Assert.Equal((0, 0), (again.GetProperty("added").GetInt32(), again.GetProperty("removed").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, (await Json(await client.GetAsync($"/api/segments/segments/{Id(segment)}"), HttpStatusCode.OK))
            .GetProperty("last_refreshed_at").ValueKind);
    }

    [Fact]
    public async Task A_contact_enters_and_leaves_a_segment_as_Leads_events_arrive_on_the_bus()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var segment = Id(await Create(client, "VIP Adas", $$"""[{{Adas}}, {"field": "tags", "operator": "contains", "value": "vip"}]"""));
        var id = Guid.CreateVersion7();

        await app.Bus.Bus.Publish(new ContactUpdated(tenant, Snapshot(id, 1, "Ada"), ["first_name"], DateTimeOffset.UtcNow));
        var entered = await app.Bus.WaitFor<SegmentMembershipChanged>(m => m.ContactId == id && m.Change == "entered", TimeSpan.FromSeconds(30));
        Assert.Equal((tenant, segment, "VIP Adas", "contact_updated"), (entered.TenantId, entered.SegmentId, entered.SegmentName, entered.Reason));
        Assert.Equal([id], await MemberIds(client, segment));

        await app.Bus.Bus.Publish(new TagRemoved(tenant, id, "vip", Snapshot(id, 2, "Ada") with { Tags = [] }, DateTimeOffset.UtcNow));
        await app.Bus.WaitFor<SegmentMembershipChanged>(m => m.ContactId == id && m.Change == "exited", TimeSpan.FromSeconds(30));
        Assert.Empty(await MemberIds(client, segment));

        await app.Bus.Bus.Publish(new TagAdded(tenant, id, "vip", Snapshot(id, 3, "Ada"), DateTimeOffset.UtcNow));
        // The message, not the row: the outbox delivers it after the row has committed.
        await Eventually.Until(() => Task.FromResult(app.Bus.Received<SegmentMembershipChanged>().Count(m => m.ContactId == id && m.Change == "entered")),
            n => n == 2, TimeSpan.FromSeconds(30), "the contact enters the segment again");
        Assert.Equal([id], await MemberIds(client, segment));
    }

    [Fact]
    public async Task A_large_pass_is_published_in_batches_of_at_most_a_thousand()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        await app.InTenantAsync(tenant, services =>
        {
            var unitOfWork = services.GetRequiredService<UnitOfWork>();
            return unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                insert into segments.contacts (tenant_id, id, version, first_name, created_at, updated_at)
                select segments.current_tenant(), gen_random_uuid(), 1, 'Ada', now(), now() from generate_series(1, 2500)
                """));
        });

        var segment = await Create(client, "Many Adas");
        Assert.Equal(2500, segment.GetProperty("member_count").GetInt32());
        var batches = await Eventually.Until(() => Task.FromResult(app.Bus.Received<SegmentMembershipBatchChanged>().Where(b => b.SegmentId == Id(segment)).ToList()),
            b => b.Count == 3, TimeSpan.FromSeconds(30), "three batches arrive");
        Assert.All(batches, b => Assert.True(b.Entered.Count <= 1000 && b.Batches == 3));
        Assert.Equal(2500, batches.SelectMany(b => b.Entered).Distinct().Count());
        Assert.Equal([1, 2, 3], batches.Select(b => b.Batch).Order());
    }

    [Fact]
    public async Task Creating_with_an_idempotency_key_twice_creates_one_segment()
    {
        var client = app.ClientFor(Guid.NewGuid());
        HttpRequestMessage Request() => new(HttpMethod.Post, "/api/segments/segments")
        {
            Content = Body($$"""{"name": "Once", "criteria": [{{Adas}}]}"""), Headers = { { "Idempotency-Key", "create-once" } },
        };
        var first = await Json(await client.SendAsync(Request()), HttpStatusCode.Created);
        var second = await Json(await client.SendAsync(Request()), HttpStatusCode.Created);
        Assert.Equal(Id(first), Id(second));
        Assert.Single((await Json(await client.GetAsync("/api/segments/segments"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_contact_deleted_in_Leads_leaves_dynamic_and_static_segments()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = await Contacts(tenant, "Ada");
        var dynamic = Id(await Create(client, "Adas"));
        var picked = Id(await Json(await client.PostAsync("/api/segments/segments", Body("""{"name": "Picked", "kind": "static"}""")), HttpStatusCode.Created));
        await Json(await client.PostAsync($"/api/segments/segments/{picked}/members", Body($$"""{"contact_ids": ["{{ids[0]}}"]}""")), HttpStatusCode.OK);

        await app.Bus.Bus.Publish(new ContactDeleted(tenant, ids[0], null, DateTimeOffset.UtcNow));
        var exits = await Eventually.Until(() => Task.FromResult(app.Bus.Received<SegmentMembershipChanged>().Where(m => m.ContactId == ids[0] && m.Change == "exited")
            .Select(m => (m.SegmentId, m.Reason)).ToHashSet()), e => e.Count == 2, TimeSpan.FromSeconds(30), "the contact leaves both segments");
        Assert.Equal([(dynamic, "deleted"), (picked, "deleted")], exits.OrderBy(e => e.SegmentId == picked));
        foreach (var segment in new[] { dynamic, picked })
            Assert.Equal(0, (await Json(await client.GetAsync($"/api/segments/segments/{segment}"), HttpStatusCode.OK)).GetProperty("member_count").GetInt32());
    }
}

using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Merging;

/// <summary>Identity stitching: a duplicate merged into a survivor takes everything with it and leaves a tombstone behind.</summary>
public sealed class Merging_contacts(LeadsApp app) : IClassFixture<LeadsApp>
{
    static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).Order().ToArray();

    [Fact]
    public async Task The_duplicates_activities_deals_tasks_notes_and_email_move_to_the_survivor_and_its_id_points_there()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var survivor = await client.CreateContact(new
        {
            email = $"ana@{tenant:N}.test", first_name = "Ana", company = "Acme", tags = new[] { "vip" }, attributes = new { plan = "pro" },
        });
        var duplicate = await client.CreateContact(new
        {
            email = $"ana.work@{tenant:N}.test", first_name = "Anna", last_name = "Lopez", phone = "+1 555 010 0200", kind = "customer",
            tags = new[] { "trial" }, attributes = new { plan = "free", seats = 10 },
        });
        await client.RecordActivity(new { type = "page.viewed", contact_id = survivor });
        await client.RecordActivity(new { type = "page.viewed", contact_id = duplicate });
        await client.RecordActivity(new { type = "form.submitted", contact_email = $"ana.work@{tenant:N}.test" });
        var deal = Id(await (await client.Post("/api/leads/deals", new { name = "Acme seats", contact_ids = new[] { duplicate } })).Expect(HttpStatusCode.Created));
        var shared = Id(await (await client.Post("/api/leads/deals", new { name = "Both", contact_ids = new[] { survivor, duplicate } })).Expect(HttpStatusCode.Created));
        await (await client.Post("/api/leads/tasks", new { title = "Call Anna", contact_id = duplicate })).Expect(HttpStatusCode.Created);
        await (await client.Post("/api/leads/notes", new { body = "Met at the fair", contact_id = duplicate })).Expect(HttpStatusCode.Created);

        var merged = await (await client.Post($"/api/leads/contacts/{survivor}/merge", new { duplicate_id = duplicate })).Expect(HttpStatusCode.OK);

        var contact = merged.GetProperty("contact");
        Assert.Equal(survivor, Id(contact));
        Assert.Equal($"ana@{tenant:N}.test", contact.GetProperty("email").GetString());
        Assert.Equal([$"ana.work@{tenant:N}.test"], Strings(contact, "secondary_emails"));
        // Non-empty wins (the survivor's first), the gaps fill from the duplicate; a customer stays a customer.
        Assert.Equal(("Ana", "Lopez", "+1 555 010 0200", "Acme", "customer"), (contact.GetProperty("first_name").GetString(),
            contact.GetProperty("last_name").GetString(), contact.GetProperty("phone").GetString(), contact.GetProperty("company").GetString(),
            contact.GetProperty("kind").GetString()));
        Assert.Equal(["trial", "vip"], Strings(contact, "tags"));
        Assert.Equal("pro", contact.GetProperty("attributes").GetProperty("plan").GetString());
        Assert.Equal(10, contact.GetProperty("attributes").GetProperty("seats").GetInt32());
        var fields = merged.GetProperty("fields");
        Assert.Equal(("survivor", "duplicate", "duplicate", "survivor"), (fields.GetProperty("first_name").GetString(),
            fields.GetProperty("last_name").GetString(), fields.GetProperty("kind").GetString(), fields.GetProperty("attributes").GetString()));
        var moved = merged.GetProperty("moved");
        // Two activities of its own and its note's note.added.
        Assert.Equal((3, 2, 1, 1), (moved.GetProperty("activities").GetInt32(), moved.GetProperty("deals").GetInt32(),
            moved.GetProperty("tasks").GetInt32(), moved.GetProperty("notes").GetInt32()));

        Assert.Equal(4, (await client.GetJson($"/api/leads/contacts/{survivor}/activities")).GetProperty("items").GetArrayLength());
        Assert.Equal([survivor], (await client.GetJson($"/api/leads/deals/{deal}")).GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Equal([survivor], (await client.GetJson($"/api/leads/deals/{shared}")).GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Single((await client.GetJson($"/api/leads/tasks?contact_id={survivor}")).GetProperty("items").EnumerateArray());
        Assert.Single((await client.GetJson($"/api/leads/notes?contact_id={survivor}")).EnumerateArray());

        // The tombstone: reads answer 301 to the survivor, writes 409 naming it.
        var gone = await client.GetAsync($"/api/leads/contacts/{duplicate}");
        var problem = await gone.Expect(HttpStatusCode.MovedPermanently);
        Assert.Equal($"/api/leads/contacts/{survivor}", gone.Headers.Location?.OriginalString);
        Assert.Equal(survivor, problem.GetProperty("survivor_id").GetGuid());
        Assert.Equal($"/api/leads/contacts/{survivor}/activities",
            (await client.GetAsync($"/api/leads/contacts/{duplicate}/activities")).Headers.Location?.OriginalString);
        var refused = await (await client.Patch($"/api/leads/contacts/{duplicate}", new { first_name = "X" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal(survivor, refused.GetProperty("survivor_id").GetGuid());

        // Later activity for the duplicate's address, or its id, lands on the survivor; so does an upsert of the address,
        // which leaves the survivor's primary email as it is.
        var later = await client.RecordActivity(new { type = "email.clicked", contact_email = $"ANA.work@{tenant:N}.test" });
        Assert.Equal((survivor, false), (later.GetProperty("contact_id").GetGuid(), later.GetProperty("contact_created").GetBoolean()));
        Assert.Equal(survivor, (await client.RecordActivity(new { type = "email.opened", contact_id = duplicate })).GetProperty("contact_id").GetGuid());
        var upserted = await (await client.Post("/api/leads/contacts", new { email = $"ana.work@{tenant:N}.test", job_title = "CTO" })).Expect(HttpStatusCode.OK);
        Assert.Equal((survivor, $"ana@{tenant:N}.test"), (Id(upserted), upserted.GetProperty("email").GetString()));

        // Merging again changes nothing; merging into the tombstone, or a contact into itself, is refused.
        var again = await (await client.Post($"/api/leads/contacts/{survivor}/merge", new { duplicate_id = duplicate })).Expect(HttpStatusCode.OK);
        Assert.True(again.GetProperty("already_merged").GetBoolean());
        var other = await client.CreateContact($"other@{tenant:N}.test");
        Assert.Equal(survivor, (await (await client.Post($"/api/leads/contacts/{duplicate}/merge", new { duplicate_id = other }))
            .Expect(HttpStatusCode.Conflict)).GetProperty("survivor_id").GetGuid());
        Assert.Equal(survivor, (await (await client.Post($"/api/leads/contacts/{other}/merge", new { duplicate_id = duplicate }))
            .Expect(HttpStatusCode.Conflict)).GetProperty("survivor_id").GetGuid());
        await (await client.Post($"/api/leads/contacts/{other}/merge", new { duplicate_id = other })).Expect(HttpStatusCode.UnprocessableEntity);
        await (await client.Post($"/api/leads/contacts/{other}/merge", new { duplicate_id = Guid.NewGuid() })).Expect(HttpStatusCode.NotFound);
        await (await client.Post($"/api/leads/contacts/{other}/merge", new { duplicate_id = survivor, fields = new { email = "mine" } }))
            .Expect(HttpStatusCode.BadRequest);

        // Other services learn it from the bus, with the survivor as it is now; the duplicate's lifecycle ends.
        var announced = await app.Events.WaitFor<ContactsMerged>(e => e.DuplicateId == duplicate);
        Assert.Equal((survivor, tenant), (announced.SurvivorId, announced.TenantId));
        Assert.Equal(["trial", "vip"], announced.Survivor.Tags.Order());
        Assert.Contains($"ana.work@{tenant:N}.test", announced.SecondaryEmails);
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from leads.lead_lifecycle_state where correlation_id = $1", duplicate),
            n => n == 0, TimeSpan.FromSeconds(20), "the duplicate's lifecycle instance is finalized");

        // Another tenant sees neither the tombstone nor the survivor.
        var stranger = app.ClientFor(Guid.NewGuid());
        await (await stranger.GetAsync($"/api/leads/contacts/{duplicate}")).Expect(HttpStatusCode.NotFound);
        await (await stranger.Post($"/api/leads/contacts/{survivor}/merge", new { duplicate_id = other })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Explicit_choices_override_the_rules_and_a_secondary_email_can_become_the_primary_one()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var survivor = await client.CreateContact(new { email = $"old@{tenant:N}.test", first_name = "Old", marketing_consent = true });
        var duplicate = await client.CreateContact(new { email = $"new@{tenant:N}.test", first_name = "New", marketing_consent = true });
        await (await client.Patch($"/api/leads/contacts/{duplicate}", new { marketing_consent = false })).Expect(HttpStatusCode.OK);

        var merged = (await (await client.Post($"/api/leads/contacts/{survivor}/merge",
            new { duplicate_id = duplicate, fields = new { email = "duplicate", first_name = "duplicate" } })).Expect(HttpStatusCode.OK)).GetProperty("contact");
        Assert.Equal(($"new@{tenant:N}.test", "New"), (merged.GetProperty("email").GetString(), merged.GetProperty("first_name").GetString()));
        Assert.Equal([$"old@{tenant:N}.test"], Strings(merged, "secondary_emails"));
        // The duplicate's consent decision (its unsubscribe) is the newer one.
        Assert.False(merged.GetProperty("marketing_consent").GetBoolean());

        var swapped = await (await client.Patch($"/api/leads/contacts/{survivor}", new { email = $"old@{tenant:N}.test" })).Expect(HttpStatusCode.OK);
        Assert.Equal($"old@{tenant:N}.test", swapped.GetProperty("email").GetString());
        Assert.Equal([$"new@{tenant:N}.test"], Strings(swapped, "secondary_emails"));
        Assert.Equal(survivor, (await client.RecordActivity(new { type = "x.y", contact_email = $"new@{tenant:N}.test" })).GetProperty("contact_id").GetGuid());
        // An address that is a contact's secondary one is not another's to take.
        var third = await client.CreateContact($"third@{tenant:N}.test");
        await (await client.Patch($"/api/leads/contacts/{third}", new { email = $"new@{tenant:N}.test" })).Expect(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_duplicate_finder_groups_contacts_by_email_phone_and_name_with_company()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var jo = await client.CreateContact(new { email = "Jo.Smith+news@gmail.com" });
        var jo2 = await client.CreateContact(new { email = "josmith@googlemail.com" });
        var p1 = await client.CreateContact(new { phone = "+1 (555) 010-0300", first_name = "Pat" });
        var p2 = await client.CreateContact(new { phone = "555.010.0300", email = $"pat@{tenant:N}.test" });
        var n1 = await client.CreateContact(new { email = $"lee1@{tenant:N}.test", first_name = "Lee", last_name = "Chan", company = "Globex" });
        var n2 = await client.CreateContact(new { email = $"lee2@{tenant:N}.test", first_name = "lee ", last_name = "CHAN", company = "globex" });
        await client.CreateContact(new { email = $"alone@{tenant:N}.test", first_name = "Lee", last_name = "Chan", company = "Initech" });

        var groups = (await client.GetJson("/api/leads/contacts/duplicates")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("reason").GetString()!, g => g.GetProperty("contacts").EnumerateArray().Select(Id).ToArray());
        Assert.Equal(3, groups.Count);
        Assert.Equal([jo, jo2], groups["email"]);
        Assert.Equal([p1, p2], groups["phone"]);
        Assert.Equal([n1, n2], groups["name_company"]);

        var ofPat = (await client.GetJson($"/api/leads/contacts/duplicates?contact_id={p2}")).GetProperty("groups");
        Assert.Equal("phone", ofPat.EnumerateArray().Single().GetProperty("reason").GetString());
        Assert.Empty((await app.ClientFor(Guid.NewGuid()).GetJson("/api/leads/contacts/duplicates")).GetProperty("groups").EnumerateArray());
        await (await client.GetAsync("/api/leads/contacts/duplicates?limit=0")).Expect(HttpStatusCode.BadRequest);
    }
}

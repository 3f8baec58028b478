using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Work;

/// <summary>Owners, assigning contacts and deals to them, and round-robin groups that skip inactive members.</summary>
public sealed class Assigning_owners(LeadsApp app) : IClassFixture<LeadsApp>
{
    static Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status) => response.Expect(status);

    static Task<HttpResponseMessage> Put(HttpClient client, string url, object body) =>
        client.PutAsync(url, new StringContent(JsonSerializer.Serialize(body, LeadsApp.Json), System.Text.Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Contacts_go_to_the_groups_active_members_in_turn_and_each_assignment_is_on_the_bus()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        foreach (var (id, name) in new[] { ("ana", "Ana"), ("ben", "Ben"), ("cy", "Cy") })
            await Expect(await Put(client, $"/api/leads/owners/{id}", new { name, email = $"{id}@acme.test" }), HttpStatusCode.Created);
        await Expect(await Put(client, "/api/leads/owners/cy", new { name = "Cy", active = false }), HttpStatusCode.OK);
        await Expect(await Put(client, "/api/leads/owner-groups/inbound", new { members = new[] { "ana", "cy", "ben" } }), HttpStatusCode.OK);

        var contacts = new List<Guid>();
        for (var i = 0; i < 4; i++)
            contacts.Add(await client.CreateContact($"lead{i}@{tenant:N}.test"));
        var owners = new List<string>();
        foreach (var contact in contacts)
            owners.Add((await Expect(await client.Post($"/api/leads/contacts/{contact}/owner", new { group = "inbound" }), HttpStatusCode.OK))
                .GetProperty("owner_id").GetString()!);
        Assert.Equal(["ana", "ben", "ana", "ben"], owners);
        Assert.Equal("ben", (await client.Contact(contacts[3])).GetProperty("owner_id").GetString());
        var assigned = await app.Events.WaitFor<OwnerAssigned>(e => e.ObjectId == contacts[2]);
        Assert.Equal(("contact", "ana", "inbound"), (assigned.ObjectType, assigned.OwnerId, assigned.Group));
        await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == contacts[3] && e.ChangedFields.Contains("owner_id"));

        // A deal by hand; an inactive or unknown owner is refused.
        var deal = (await Expect(await client.Post("/api/leads/deals", new { name = "Big one" }), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var toBen = await Expect(await client.Post($"/api/leads/deals/{deal}/owner", new { owner_id = "ben" }), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, toBen.GetProperty("previous_owner_id").ValueKind);
        Assert.Equal("ben", (await client.GetJson($"/api/leads/deals/{deal}")).GetProperty("owner_id").GetString());
        await app.Events.WaitFor<OwnerAssigned>(e => e.ObjectId == deal && e.ObjectType == "deal" && e.OwnerId == "ben");
        await Expect(await client.Post($"/api/leads/deals/{deal}/owner", new { owner_id = "cy" }), HttpStatusCode.UnprocessableEntity);
        await Expect(await client.Post($"/api/leads/deals/{deal}/owner", new { owner_id = "zed" }), HttpStatusCode.UnprocessableEntity);
        await Expect(await client.Post($"/api/leads/deals/{deal}/owner", new { owner_id = "ben", group = "inbound" }), HttpStatusCode.BadRequest);
        await Expect(await client.Post($"/api/leads/contacts/{contacts[0]}/owner", new { group = "nobody" }), HttpStatusCode.NotFound);
        await Expect(await Put(client, "/api/leads/owner-groups/ghosts", new { members = new[] { "zed" } }), HttpStatusCode.UnprocessableEntity);

        // An id escaped twice still holds a dot segment once the path is decoded: a trick, not an owner (found by the fuzzer).
        await Expect(await Put(client, "/api/leads/owners/%252E%252E", new { name = "Dot" }), HttpStatusCode.BadRequest);
        await Expect(await Put(client, "/api/leads/owners/a%255Cb", new { name = "Slash" }), HttpStatusCode.BadRequest);

        // Another tenant has none of these owners.
        Assert.Empty((await app.ClientFor(Guid.NewGuid()).GetJson("/api/leads/owners")).EnumerateArray());
        Assert.Equal(3, (await client.GetJson("/api/leads/owners")).GetArrayLength());
    }
}

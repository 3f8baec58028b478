using System.Net;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// Read models elsewhere keep the contact with the highest version they have seen: every change must grow it, and every event
/// must carry it with the state it describes.
/// </summary>
public sealed class Versioning_contacts(LeadsApp app) : IClassFixture<LeadsApp>
{
    readonly Guid _tenant = Guid.NewGuid();

    [Fact]
    public async Task Every_change_grows_the_version_and_every_event_carries_it()
    {
        var client = app.ClientFor(_tenant);
        var id = await client.CreateContact("versioned@example.com");
        var created = await app.Events.WaitFor<ContactCreated>(e => e.Contact.Id == id);

        var patched = await (await client.Patch($"/api/leads/contacts/{id}", new { first_name = "Vera" })).Json();
        var updated = await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == id && e.Contact.FirstName == "Vera");
        Assert.Equal(patched.GetProperty("version").GetInt64(), updated.Contact.Version);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/leads/contacts/{id}/tags/vip", null)).StatusCode);
        var tagged = await app.Events.WaitFor<TagAdded>(e => e.ContactId == id && e.Tag == "vip");

        await client.Transition(id, "contacted");
        var moved = await app.Events.WaitFor<LeadStateChanged>(e => e.ContactId == id && e.ToState == "contacted");

        await client.RecordActivity(new { type = "email.opened", contact_id = id });
        var afterActivity = await client.Contact(id);

        long[] versions = [created.Contact.Version, updated.Contact.Version, tagged.Contact.Version, moved.Contact.Version,
            afterActivity.GetProperty("version").GetInt64()];
        Assert.True(created.Contact.Version >= 1, $"created at version {created.Contact.Version}");
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Length, versions.Distinct().Count());

        // Each snapshot is the contact as of its version: the tag is in the tag's and the state's, the state in the state's.
        Assert.Contains("vip", tagged.Contact.Tags);
        Assert.Equal("new", tagged.Contact.LeadState);
        Assert.Equal("contacted", moved.Contact.LeadState);
        Assert.Contains("vip", moved.Contact.Tags);
        Assert.NotNull(moved.Contact.StateEnteredAt);
        Assert.True(moved.Contact.StateEnteredAt > created.Contact.StateEnteredAt, "state_entered_at moves with the state");
    }

    [Fact]
    public async Task Email_verified_is_a_field_that_a_new_email_resets()
    {
        var client = app.ClientFor(_tenant);
        var id = await client.CreateContact(new { email = "checked@example.com" });
        Assert.False((await client.Contact(id)).GetProperty("email_verified").GetBoolean());

        var verified = await (await client.Patch($"/api/leads/contacts/{id}", new { email_verified = true })).Json();
        Assert.True(verified.GetProperty("email_verified").GetBoolean());
        var changed = await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == id && e.ChangedFields.Contains("email_verified"));
        Assert.True(changed.Contact.EmailVerified);

        var moved = await (await client.Patch($"/api/leads/contacts/{id}", new { email = "elsewhere@example.com" })).Json();
        Assert.False(moved.GetProperty("email_verified").GetBoolean());

        var both = await (await client.Patch($"/api/leads/contacts/{id}", new { email = "third@example.com", email_verified = true })).Json();
        Assert.True(both.GetProperty("email_verified").GetBoolean());

        var refused = await client.Patch($"/api/leads/contacts/{id}", new { email_verified = "yes" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}

using System.Net;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Segments;

namespace GrowthOps.Email.Tests.Consumers;

/// <summary>Email's own copy of contacts and segment membership, from Leads' and Segments' events only.</summary>
public sealed class Keeping_the_recipients_read_model(EmailApp app) : IClassFixture<EmailApp>
{
    [Fact]
    public async Task A_contact_event_makes_the_contact_a_recipient_with_its_merge_fields()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact(firstName: "Grace", company: "Navy");
        await app.Contacts(tenant, contact);

        var recipient = await app.ClientFor(tenant).GetJson($"/api/email/recipients/{contact.Id}");
        Assert.Equal(contact.Email, recipient.GetProperty("email").GetString());
        Assert.Equal("Grace", recipient.GetProperty("first_name").GetString());
        Assert.Equal("Navy", recipient.GetProperty("company").GetString());
        Assert.True(recipient.GetProperty("marketing_consent").GetBoolean());
        // Another tenant does not see it.
        await app.ClientFor(Guid.NewGuid()).GetJson($"/api/email/recipients/{contact.Id}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_stale_event_never_overwrites_a_newer_one_and_a_deletion_is_final()
    {
        var tenant = Guid.NewGuid();
        var v2 = EmailClient.Contact(firstName: "Newer", version: 2);
        await app.Contacts(tenant, v2);
        await app.Bus.Bus.Publish(new ContactUpdated(tenant, v2 with { FirstName = "Older", Version = 1 }, ["first_name"], DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new ContactUpdated(tenant, v2 with { FirstName = "Newest", Version = 3 }, ["first_name"], DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select version from email.recipients where contact_id = $1", v2.Id),
            v => v == 3, TimeSpan.FromSeconds(30), "version 3 is applied");
        Assert.Equal("Newest", await app.Database.ScalarAsync<string>("select first_name from email.recipients where contact_id = $1", v2.Id));

        await app.Bus.Bus.Publish(new ContactDeleted(tenant, v2.Id, v2.Email, DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new ContactUpdated(tenant, v2 with { FirstName = "Zombie", Version = 4 }, ["first_name"], DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.Database.ScalarAsync<bool>("select deleted from email.recipients where contact_id = $1", v2.Id),
            d => d, TimeSpan.FromSeconds(30), "the deletion is applied");
        await app.ClientFor(tenant).GetJson($"/api/email/recipients/{v2.Id}", HttpStatusCode.NotFound);
        Assert.Null(await app.Database.ScalarAsync<string>("select email from email.recipients where contact_id = $1", v2.Id));
    }

    [Fact]
    public async Task A_merge_removes_the_duplicate_and_applies_the_survivor_as_it_is_now()
    {
        var tenant = Guid.NewGuid();
        var (survivor, duplicate) = (EmailClient.Contact(firstName: "Ana"), EmailClient.Contact(firstName: "Anna"));
        await app.Contacts(tenant, survivor, duplicate);

        await app.Bus.Bus.Publish(new ContactsMerged(tenant, survivor.Id, duplicate.Id, duplicate.Email, [duplicate.Email!],
            survivor with { LastName = "Lopez", Version = survivor.Version + 2 }, "user-1", DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.Database.ScalarAsync<bool>("select deleted from email.recipients where contact_id = $1", duplicate.Id),
            d => d, TimeSpan.FromSeconds(30), "the duplicate is gone");
        var client = app.ClientFor(tenant);
        await client.GetJson($"/api/email/recipients/{duplicate.Id}", HttpStatusCode.NotFound);
        Assert.Equal("Lopez", (await client.GetJson($"/api/email/recipients/{survivor.Id}")).GetProperty("last_name").GetString());
    }

    [Fact]
    public async Task Segment_membership_follows_segments_events_and_a_late_entry_does_not_undo_a_newer_exit()
    {
        var tenant = Guid.NewGuid();
        var segment = Guid.NewGuid();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var t0 = DateTimeOffset.UtcNow;
        await app.Bus.Bus.Publish(new SegmentMembershipBatchChanged(tenant, segment, "VIP", Guid.NewGuid(), 1, 1, [a, b], [], "created", t0));
        await app.Bus.Bus.Publish(new SegmentMembershipChanged(tenant, segment, "VIP", a, "exited", "contact_updated", t0.AddSeconds(2)));
        await app.Bus.Bus.Publish(new SegmentMembershipChanged(tenant, segment, "VIP", a, "entered", "contact_updated", t0.AddSeconds(1)));
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from email.segment_members where segment_id = $1 and changed_at >= $2", segment, t0.AddSeconds(2).UtcDateTime),
            n => n == 1, TimeSpan.FromSeconds(30), "the exit is applied");
        // Whenever the late entry is consumed, it changes nothing.
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from email.segment_members where segment_id = $1 and member", segment), n => n == 1,
            TimeSpan.FromSeconds(30), "only b is a member");
        Assert.True(await app.Database.ScalarAsync<bool>(
            "select member from email.segment_members where segment_id = $1 and contact_id = $2", segment, b));
        Assert.Equal("VIP", await app.Database.ScalarAsync<string>("select name from email.segments where segment_id = $1", segment));
    }
}

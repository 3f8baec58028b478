using System.Net;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Apis;

/// <summary>Static members by id and email, as the fuzzer sent them.</summary>
public sealed class Adding_static_members(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    [Theory]
    [InlineData("members")]
    [InlineData("members/remove")]
    public async Task A_null_among_the_emails_is_a_400_naming_it_and_nothing_changes(string route)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ada = Snapshot(Guid.CreateVersion7(), 1, "Ada");
        await app.Contacts(tenant, ada);
        var segment = (await client.PostJson("/api/segments/segments", """{"name": "Picked", "kind": "static"}""", HttpStatusCode.Created)).Id();
        if (route == "members/remove")
            await client.PostJson($"/api/segments/segments/{segment}/members", $$"""{"contact_ids": ["{{ada.Id}}"]}""", HttpStatusCode.OK);

        var problem = await client.PostJson($"/api/segments/segments/{segment}/{route}", $$"""{"contact_ids": ["{{ada.Id}}"], "emails": ["{{ada.Email}}", null]}""",
            HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("emails[1]", out _), problem.GetRawText());
        var count = (await client.GetJson($"/api/segments/segments/{segment}")).GetProperty("member_count").GetInt32();
        Assert.Equal(route == "members/remove" ? 1 : 0, count);
    }
}

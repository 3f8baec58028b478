using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// Contacts as Leads publishes them: <see cref="Snapshot"/> at a version, updated a minute later per version, created a
/// month ago (so that their activities are inside the read model's retention window).
/// </summary>
public static class LeadsContacts
{
    public static readonly DateTimeOffset CreatedAt = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-30);

    public static ContactSnapshot Snapshot(Guid id, long version, string? firstName = null) => new(id, $"c-{id:N}@example.com", "lead",
        firstName ?? $"v{version}", "Lovelace", null, null, "web", "organic", null, 10, "UTC", false, ["vip"], "new",
        new Dictionary<string, JsonElement> { ["plan"] = JsonSerializer.SerializeToElement("pro") }, null, CreatedAt,
        CreatedAt.AddMinutes(version), version, 50, true, CreatedAt);

    public static ContactCreated Created(ContactSnapshot contact) => new(Guid.Empty, contact, contact.UpdatedAt);

    public static ContactUpdated Updated(ContactSnapshot contact) => new(Guid.Empty, contact, ["first_name"], contact.UpdatedAt);

    public static ContactDeleted Deleted(Guid id, DateTimeOffset at) => new(Guid.Empty, id, null, at);

    public static ActivityRecorded Activity(Guid contactId, DateTimeOffset at, string type = "checkout.completed", Guid? id = null) =>
        new(Guid.Empty, id ?? Guid.CreateVersion7(), contactId, null, type,
            new Dictionary<string, JsonElement> { ["product"] = JsonSerializer.SerializeToElement("P2P") }, at);
}

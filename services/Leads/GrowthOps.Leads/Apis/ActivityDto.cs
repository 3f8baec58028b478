using System.Text.Json;
using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record ActivityDto(Guid Id, Guid ContactId, string Type, JsonElement Metadata, DateTime OccurredAt, DateTime CreatedAt)
{
    public static ActivityDto From(Activity a) => new(a.Id, a.ContactId, a.Type, JsonDocument.Parse(a.MetadataJson).RootElement, a.OccurredAt, a.Created);
}

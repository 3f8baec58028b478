using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record NoteDto(Guid Id, Guid? ContactId, Guid? DealId, string Body, string? AuthorId, DateTime CreatedAt)
{
    public static NoteDto From(Note n) => new(n.Id, n.ContactId, n.DealId, n.Body, n.AuthorId, DateTime.SpecifyKind(n.CreatedAt, DateTimeKind.Utc));
}

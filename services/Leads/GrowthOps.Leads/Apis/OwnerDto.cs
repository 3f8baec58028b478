using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record OwnerDto(string Id, string Name, string? Email, bool Active)
{
    public static OwnerDto From(Owner o) => new(o.Id, o.Name, o.Email, o.Active);
}

public sealed record OwnerGroupDto(string Name, IReadOnlyList<string> Members, string? Next);

public sealed record AssignmentDto(string ObjectType, Guid ObjectId, string OwnerId, string? PreviousOwnerId, string? Group);

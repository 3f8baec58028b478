using System.ComponentModel.DataAnnotations;
using GrowthOps.ServiceDefaults.Validation;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>An owner (PUT /owners/{id}: the id is the user's token <c>sub</c>).</summary>
public sealed record OwnerRequest(
    [property: MaxLength(MaxText)] string Name,
    [property: MaxLength(GrowthOps.ServiceDefaults.Validation.EmailAddress.MaxLength)] string? Email = null,
    bool Active = true);

/// <summary>The members of a round-robin group, in turn order.</summary>
public sealed record OwnerGroupRequest([property: MaxLength(OwnerGroupRequest.MaxMembers), ItemsMaxLength(MaxText)] IReadOnlyList<string> Members)
{
    public const int MaxMembers = 200;
}

/// <summary>Who gets a contact or deal: a given owner, or the next active member of a round-robin group.</summary>
public sealed record AssignOwnerRequest(
    [property: MaxLength(MaxText)] string? OwnerId = null,
    [property: MaxLength(MaxKeyword)] string? Group = null);

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>A task to create, or (PATCH) the fields to change: absent ones stay, null clears.</summary>
[Description("A task on a contact or a deal (at least one on create). Due: due_at with an offset, or due_local (no offset) read in timezone.")]
public sealed record TaskRequest(
    [property: MaxLength(TaskRequest.MaxTitle)] string? Title = null,
    [property: MaxLength(MaxDescription)] string? Description = null,
    Guid? ContactId = null,
    Guid? DealId = null,
    [property: Description("An instant with its offset (2027-01-05T09:00:00+01:00).")] DateTimeOffset? DueAt = null,
    [property: Description("A local date and time (2027-01-05T09:00), read in timezone.")] DateTime? DueLocal = null,
    [property: MaxLength(MaxTimezone), Description("An IANA time zone.")] string? Timezone = null,
    [property: MaxLength(MaxText)] string? AssigneeId = null,
    [property: MaxLength(10), RegularExpression("^(low|normal|high|urgent)$")] string? Priority = null)
{
    public const int MaxTitle = 300;
}

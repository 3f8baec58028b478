using GrowthOps.Leads.Data;

namespace GrowthOps.Leads.Apis;

public sealed record TaskDto(Guid Id, string Title, string? Description, Guid? ContactId, Guid? DealId, DateTime? DueAt, string? Timezone,
    string? DueLocal, string? AssigneeId, string Priority, string Status, bool Overdue, DateTime? CompletedAt, string? CompletedBy, string? CreatedBy,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static TaskDto From(TaskItem t, DateTime now)
    {
        DateTime? due = t.DueAt is { } d ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;
        string? local = null;
        if (due is { } u && t.Timezone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz))
            local = TimeZoneInfo.ConvertTimeFromUtc(u, tz).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return new TaskDto(t.Id, t.Title, t.Description, t.ContactId, t.DealId, due, t.Timezone, local, t.AssigneeId, t.Priority, t.Status,
            t.Status == "open" && due < now, Utc(t.CompletedAt), t.CompletedBy, t.CreatedBy, Utc(t.CreatedAt)!.Value, Utc(t.UpdatedAt)!.Value);
    }

    static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}

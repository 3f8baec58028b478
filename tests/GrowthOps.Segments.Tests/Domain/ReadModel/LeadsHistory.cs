namespace GrowthOps.Segments.Tests.Domain.ReadModel;

/// <summary>
/// Leads' messages about a few contacts of one tenant in the order Leads published them, and a delivery of the same
/// messages shuffled with some of them twice.
/// </summary>
public sealed record LeadsHistory(IReadOnlyList<object> Published, IReadOnlyList<object> Delivered)
{
    public override string ToString() =>
        $"{Published.Count} messages, delivered as {Delivered.Count}: {string.Join(", ", Delivered.Select(Describe))}";

    static string Describe(object message) => message switch
    {
        GrowthOps.Contracts.Leads.ContactDeleted d => $"Deleted({d.ContactId.ToString()[..4]})",
        GrowthOps.Contracts.Leads.ActivityRecorded a => $"Activity({a.ContactId.ToString()[..4]})",
        _ => $"{message.GetType().Name}({Contact(message)})",
    };

    static string Contact(object message) => message.GetType().GetProperty("Contact")?.GetValue(message) is GrowthOps.Contracts.Leads.ContactSnapshot s
        ? $"{s.Id.ToString()[..4]} v{s.Version}"
        : "?";
}

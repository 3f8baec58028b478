namespace GrowthOps.Leads.Data;

public sealed class Activity
{
    public Guid Id { get; set; }
    public Guid ContactId { get; set; }
    public string Type { get; set; } = "";
    public string MetadataJson { get; set; } = "{}";
    public DateTime OccurredAt { get; set; }
    public DateTime Created { get; set; }
}

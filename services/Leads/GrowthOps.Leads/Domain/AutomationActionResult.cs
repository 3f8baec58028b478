namespace GrowthOps.Leads.Domain;

/// <summary>What one action did, stored with the execution (<c>results</c>, one per action, in order).</summary>
public sealed record AutomationActionResult(string Type, string Status, string? Error = null, int? StatusCode = null, Guid? HistoryId = null)
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

namespace GrowthOps.Segments.Domain.Campaigns;

/// <summary>The closed vocabularies of a campaign link (the table's checks say the same).</summary>
public static class CampaignLinks
{
    public const string Include = "include";
    public const string Exclude = "exclude";

    public static readonly string[] Types = ["email", "cortex", "sequence"];
    public static readonly string[] Roles = [Include, Exclude];
}

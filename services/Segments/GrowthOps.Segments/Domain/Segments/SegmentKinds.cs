namespace GrowthOps.Segments.Domain.Segments;

/// <summary>The closed vocabularies of a segment (the table's checks say the same).</summary>
public static class SegmentKinds
{
    public const string Dynamic = "dynamic";
    public const string Static = "static";
    public const string Active = "active";
    public const string Archived = "archived";

    public static readonly string[] Kinds = [Dynamic, Static];
    public static readonly string[] Statuses = [Active, Archived];
    public static readonly string[] Types = ["behavioral", "demographic", "engagement", "value", "lifecycle", "predictive"];
}

namespace GrowthOps.Conditions;

/// <summary>A group of conditions; an empty AND or NOT group holds, an empty OR group does not.</summary>
public sealed record CriteriaGroup(string Path, GroupLogic Logic, IReadOnlyList<Criterion> Conditions) : Criterion(Path);

namespace GrowthOps.Conditions;

/// <summary>A problem with one part of criteria: <c>criteria[1].operator: unknown operator 'gt'</c>.</summary>
public sealed record CriteriaError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

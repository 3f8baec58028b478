namespace GrowthOps.Conditions;

/// <summary>A node of a criteria tree; <see cref="Path"/> is where it was written (<c>criteria[1]</c>, <c>criteria.conditions[0]</c>).</summary>
public abstract record Criterion(string Path);

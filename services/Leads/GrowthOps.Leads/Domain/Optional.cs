namespace GrowthOps.Leads.Domain;

/// <summary>A value that may be absent (distinct from present-and-null).</summary>
public readonly record struct Optional<T>(T Value)
{
    public bool HasValue { get; } = true;

    public T Or(T fallback) => HasValue ? Value : fallback;
}

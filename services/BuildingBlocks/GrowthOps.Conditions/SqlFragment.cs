using Dapper;

namespace GrowthOps.Conditions;

/// <summary>
/// A WHERE fragment and its parameters. <see cref="Sql"/> is true exactly for the matching rows but may be unknown (null)
/// for others; <see cref="TwoValued"/> is never null, for <c>not (…)</c> or a select list.
/// </summary>
public sealed record SqlFragment(string Sql, DynamicParameters Parameters)
{
    public string TwoValued => $"({Sql}) is true";
}

namespace GrowthOps.ServiceDefaults.Validation;

/// <summary>
/// The longest string each item of an array member may be (tags…), checked by <see cref="RequestLimits"/> and shown as the
/// <c>maxLength</c> of the array's <c>items</c> schema; <c>[MaxLength]</c> on the same member limits how many items there are.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ItemsMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

namespace GrowthOps.Conditions;

/// <summary>What a field holds, which decides the operators and values a condition on it may use.</summary>
public enum FieldType
{
    Number,
    Text,
    Date,
    Boolean,
    Tags,
}

namespace GrowthOps.Conditions;

/// <summary><c>{field, operator, value}</c>; <see cref="ValueText"/> is the value as written (for explanations).</summary>
public sealed record FieldCondition(string Path, CriteriaField Field, CriteriaOperator Operator, Operand Operand, string ValueText) : Criterion(Path);

namespace GrowthOps.Conditions;

/// <summary>
/// The validated value of a field condition, typed by the field: numbers, texts (folded to lower-case A–Z for text and
/// tags), dates, a boolean or a pattern. One entry for a single value, two for <c>between</c>, any number for <c>in</c>.
/// </summary>
public sealed record Operand
{
    public static readonly Operand None = new();

    IReadOnlyList<ExactNumber>? _exact;

    public IReadOnlyList<decimal> Numbers { get; init; } = [];

    /// <summary><see cref="Numbers"/> for exact comparison with JSON numbers (computed once).</summary>
    public IReadOnlyList<ExactNumber> ExactNumbers => _exact ??= Numbers.Select(ExactNumber.From).ToArray();

    public IReadOnlyList<string> Texts { get; init; } = [];
    public IReadOnlyList<DateValue> Dates { get; init; } = [];
    public bool? Boolean { get; init; }
    public PortableRegex? Pattern { get; init; }
}

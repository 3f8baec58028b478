namespace GrowthOps.Conditions;

/// <summary>
/// Text criteria ignore the case of A–Z only. PostgreSQL's <c>lower(x collate "C")</c> folds exactly these 26 letters,
/// whatever the database's locale, and .NET folds them the same way here; a Unicode-aware fold would differ between ICU,
/// glibc and .NET on letters such as İ, ß or final sigma, and the two back ends would disagree.
/// </summary>
public static class AsciiCase
{
    public static string Fold(string value)
    {
        var i = value.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (i < 0)
            return value;
        return string.Create(value.Length, (value, i), static (span, state) =>
        {
            state.value.AsSpan().CopyTo(span);
            for (var j = state.i; j < span.Length; j++)
                if (span[j] is >= 'A' and <= 'Z')
                    span[j] = (char)(span[j] + 32);
        });
    }

    public static string? FoldOrNull(string? value) => value is null ? null : Fold(value);
}

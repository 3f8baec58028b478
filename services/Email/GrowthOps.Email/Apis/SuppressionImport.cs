namespace GrowthOps.Email.Apis;

/// <summary>
/// What a CSV import did: <see cref="Rows"/> data rows read, <see cref="Imported"/> addresses newly suppressed,
/// <see cref="AlreadySuppressed"/> already on the list (their entry kept), and the rows refused with their line numbers (the
/// header is line 1; at most 1,000 listed, <see cref="ErrorCount"/> counts all).
/// </summary>
public sealed record SuppressionImport(int Rows, int Imported, int AlreadySuppressed, int ErrorCount, IReadOnlyList<SuppressionImport.RowError> Errors)
{
    public sealed record RowError(int Line, string? Email, string Error);
}

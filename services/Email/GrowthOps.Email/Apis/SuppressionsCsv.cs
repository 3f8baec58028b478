using System.Globalization;
using System.Text;
using CsvHelper;
using GrowthOps.Email.Data;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>
/// The suppression list as CSV: an import reads <c>email</c> and an optional <c>reason</c> column (any order, header names
/// ignoring case, other columns ignored); an export writes <c>email,reason,source,created_at</c>. A field a spreadsheet would
/// run as a formula is escaped on export.
/// </summary>
public static class SuppressionsCsv
{
    public const string ContentType = "text/csv";
    public const int MaxErrorsListed = 1000;

    public sealed record Parsed(List<SuppressionListStore.Entry> Entries, int Rows, int ErrorCount, List<SuppressionImport.RowError> Errors);

    public static Parsed Read(Stream body)
    {
        var entries = new List<SuppressionListStore.Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<SuppressionImport.RowError>();
        var malformed = new List<CsvMalformedRecord>();
        var rows = 0;
        using var csv = CsvReader.Create(body, new CsvReaderOptions
        {
            HasHeader = true,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            // A row CsvHelper cannot read (a stray or unterminated quote) is reported on its line and skipped; the rest import.
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = malformed.Add,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
        }, true);
        csv.ReadHeader();
        var header = (csv.Headers ?? []).Select(h => h.Trim().ToLowerInvariant()).ToList();
        var emailAt = header.IndexOf("email");
        var reasonAt = header.IndexOf("reason");
        if (emailAt < 0)
        {
            errors.Add(new SuppressionImport.RowError(1, null, header.Count == 0
                ? "the file is empty: a header row with an email column is expected"
                : "the header has no email column"));
            return new Parsed(entries, 0, 1, errors);
        }

        while (csv.Read())
        {
            rows++;
            var line = (int)csv.LineNumber;
            var email = csv.FieldCount > emailAt ? csv.GetString(emailAt) : null;
            if (!EmailAddress.TryParse(email, out var address, out var problem))
            {
                errors.Add(new SuppressionImport.RowError(line, email, $"email {problem}"));
                continue;
            }

            var reason = reasonAt >= 0 && csv.FieldCount > reasonAt && csv.GetString(reasonAt) is { Length: > 0 } r ? r.ToLowerInvariant() : "manual";
            if (!SuppressionListStore.Reasons.Contains(reason))
            {
                errors.Add(new SuppressionImport.RowError(line, email, $"reason must be one of {string.Join(", ", SuppressionListStore.Reasons)}"));
                continue;
            }

            if (seen.Add(address.Value.ToLowerInvariant()))
                entries.Add(new SuppressionListStore.Entry(address.Value.ToLowerInvariant(), reason));
        }

        foreach (var m in malformed)
            errors.Add(new SuppressionImport.RowError((int)m.LineNumber, null, $"is not valid CSV ({m.Reason switch
            {
                CsvMalformedReason.StrayQuote => "a stray quote",
                CsvMalformedReason.UnterminatedQuote => "a quote that is never closed",
                CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
                _ => m.Reason.ToString(),
            }})"));
        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new Parsed(entries, rows + malformed.Count, errors.Count, errors.Take(MaxErrorsListed).ToList());
    }

    /// <summary>Writes the header and every entry as it arrives; returns how many were written.</summary>
    public static async Task<int> WriteAsync(Stream body, IAsyncEnumerable<Suppression> entries, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(body, new CsvWriterOptions { NewLine = "\r\n", Injection = CsvInjection.Escape }, true);
        csv.WriteHeader(["email", "reason", "source", "created_at"]);
        var count = 0;
        await foreach (var s in entries.WithCancellation(ct))
        {
            csv.WriteField(s.Email);
            csv.WriteField(s.Reason);
            csv.WriteField(s.Source);
            csv.WriteField(DateTime.SpecifyKind(s.CreatedAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            await csv.EndRecordAsync(ct);
            if (++count % 500 == 0)
                await csv.FlushAsync(ct);
        }

        await csv.FlushAsync(ct);
        return count;
    }
}

using System.Globalization;
using System.Text;
using GrowthOps.Segments.Domain.Segments;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// A segment's members as CSV (RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma, quote or line
/// break, quotes doubled), written as the rows arrive. A field that a spreadsheet would run as a formula (starting with
/// <c>= + - @</c>, tab or carriage return) is prefixed with <c>'</c>, so that opening an export never runs what a contact typed.
/// </summary>
public static class MembersCsv
{
    public const string ContentType = "text/csv";

    static readonly string[] Header = ["contact_id", "email", "first_name", "last_name", "source", "entered_at", "reason"];

    /// <summary>Rows between flushes: the client sees the export grow instead of waiting for its end.</summary>
    const int FlushEvery = 500;

    /// <summary>Writes the header and every member; returns the number of members written.</summary>
    public static async Task<int> WriteAsync(Stream body, IAsyncEnumerable<SegmentMember> members, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true)
        {
            NewLine = "\r\n",
        };
        await writer.WriteLineAsync(string.Join(',', Header));
        var count = 0;
        await foreach (var m in members.WithCancellation(ct))
        {
            await writer.WriteLineAsync(Row(m.ContactId.ToString(), m.Email, m.FirstName, m.LastName, m.Source,
                DateTime.SpecifyKind(m.EnteredAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), m.Reason));
            if (++count % FlushEvery == 0)
                await writer.FlushAsync(ct);
        }

        await writer.FlushAsync(ct);
        return count;
    }

    static string Row(params string?[] cells) => string.Join(',', cells.Select(Cell));

    static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

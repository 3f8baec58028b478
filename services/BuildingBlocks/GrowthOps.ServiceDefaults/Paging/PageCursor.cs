using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace GrowthOps.ServiceDefaults.Paging;

/// <summary>
/// Opaque keyset cursors over (time, id) — a row's creation or occurrence time and its UUID: stable under inserts, unlike
/// offsets. Clients pass back the <c>next_cursor</c> they were given and never build one.
/// </summary>
public static class PageCursor
{
    public readonly record struct Position(DateTime Time, Guid Id);

    public static string Encode(DateTime time, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{time.Ticks}:{id:N}")));

    public static bool TryDecode(string cursor, out Position position)
    {
        position = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
                ticks > DateTime.MaxValue.Ticks || !Guid.TryParseExact(parts[1], "N", out var id))
                return false;
            // Only the exact text Encode gives: an altered cursor (padding, case, leading zeros, a sign) is not one of ours.
            var decoded = new Position(new DateTime(ticks, DateTimeKind.Utc), id);
            if (!string.Equals(Encode(decoded.Time, decoded.Id), cursor, StringComparison.Ordinal))
                return false;
            position = decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

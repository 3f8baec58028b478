using System.Buffers.Text;
using System.Text;

namespace GrowthOps.Leads.Data;

/// <summary>Opaque keyset cursors (time, id): stable under inserts, unlike offsets.</summary>
public static class Cursor
{
    public static string Encode(DateTime time, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{time.Ticks}:{id:N}"));

    public static (DateTime Created, Guid Id)? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
            return null;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var ticks) && Guid.TryParse(parts[1], out var id))
                return (new DateTime(ticks, DateTimeKind.Utc), id);
        }
        catch (FormatException)
        {
        }

        throw new GrowthOps.ServiceDefaults.RequestProblemException(400, "Invalid cursor", "The cursor is not one this API returned.");
    }
}

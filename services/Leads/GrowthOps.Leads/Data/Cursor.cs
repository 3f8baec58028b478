using System.Buffers.Text;
using System.Text;
using Dapper;

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

    /// <summary>
    /// Finishes a newest-first keyset query: "after the cursor" on (<paramref name="timeColumn"/>, <paramref name="idColumn"/>),
    /// the order, and one row more than the page so <see cref="Page{T}"/> can tell whether another page follows.
    /// </summary>
    public static void AppendKeyset(StringBuilder sql, DynamicParameters args, string? cursor, string timeColumn, string idColumn, int limit)
    {
        if (Decode(cursor) is { } after)
        {
            sql.Append($" and ({timeColumn}, {idColumn}) < (@cursor_time, @cursor_id)");
            args.Add("cursor_time", after.Created);
            args.Add("cursor_id", after.Id);
        }

        sql.Append($" order by {timeColumn} desc, {idColumn} desc limit @cursor_limit");
        args.Add("cursor_limit", limit + 1);
    }

    /// <summary>Trims the extra row fetched by <see cref="AppendKeyset"/> and returns the cursor of the next page, if any.</summary>
    public static string? Page<T>(List<T> rows, int limit, Func<T, (DateTime Time, Guid Id)> key)
    {
        if (rows.Count <= limit)
            return null;
        rows.RemoveAt(limit);
        var (time, id) = key(rows[^1]);
        return Encode(time, id);
    }
}

using System.Text;
using Dapper;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Persistence;

/// <summary>Newest-first keyset paging for a <see cref="PageRequest"/>: the SQL half of <see cref="PageCursor"/>.</summary>
public static class Keyset
{
    /// <summary>
    /// Finishes a query (its <c>where</c> already open): "after the cursor" on (<paramref name="timeColumn"/>,
    /// <paramref name="idColumn"/>), the order, and one row more than the page so <see cref="Page{T}"/> can tell whether another follows.
    /// </summary>
    public static void Append(StringBuilder sql, DynamicParameters args, PageRequest page, string timeColumn, string idColumn)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(page);
        if (page.After is { } after)
        {
            sql.Append($" and ({timeColumn}, {idColumn}) < (@cursor_time, @cursor_id)");
            args.Add("cursor_time", after.Time);
            args.Add("cursor_id", after.Id);
        }

        sql.Append($" order by {timeColumn} desc, {idColumn} desc limit @cursor_limit");
        args.Add("cursor_limit", page.Size + 1);
    }

    /// <summary>The page of rows fetched by <see cref="Append"/>: the extra row dropped, and the cursor of the next page if there was one.</summary>
    public static Page<T> Page<T>(List<T> rows, PageRequest page, Func<T, (DateTime Time, Guid Id)> key)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(key);
        if (rows.Count <= page.Size)
            return new Page<T>(rows, null);
        rows.RemoveAt(page.Size);
        var (time, id) = key(rows[^1]);
        return new Page<T>(rows, PageCursor.Encode(time, id));
    }
}

using Npgsql;

namespace GrowthOps.Persistence;

/// <summary>Positional parameters (<c>$1</c>, <c>$2</c>, …) for stores' raw SQL and batches, typed by Npgsql from their values.</summary>
public static class SqlParameters
{
    public static NpgsqlParameter Of(object? value) => new()
    {
        Value = value switch
        {
            null => DBNull.Value,
            // Npgsql writes timestamptz from UTC values only.
            DateTimeOffset d => d.ToUniversalTime(),
            _ => value,
        },
    };

    /// <summary>One statement of an <see cref="NpgsqlBatch"/> with its positional parameters.</summary>
    public static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(Of(value));
        return command;
    }
}

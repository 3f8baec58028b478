using Npgsql;

namespace GrowthOps.Email.Data;

/// <summary>Positional parameters for the stores' raw SQL.</summary>
static class SqlParameter
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

    public static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(Of(value));
        return command;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// A tenant's stored state in a service's schema, as one line per table: row count and a hash of the row versions of every
/// table with a <c>tenant_id</c> column, and of the outbox and scheduler messages that mention the tenant. Read as a superuser
/// (row-level security hides nothing). Only meaningful while nothing writes for the tenant in the background: run the
/// service with its outbox relay and scheduler off, or a consumer's late write looks like a refused request's.
/// </summary>
public sealed class TenantFingerprint
{
    readonly string connectionString;
    readonly string schema;
    readonly string tenantTables;
    readonly bool hasOutbox;
    readonly SemaphoreSlim outboxGate = new(1);

    /// <summary>
    /// Outbox rows read so far, by sequence number, as a hash of the row and the UUIDs it mentions: with the relay off rows
    /// are only ever added, so each is read once.
    /// </summary>
    readonly Dictionary<long, (string Hash, HashSet<string> Ids)> outbox = [];

    TenantFingerprint(string connectionString, string schema, string tenantTables, bool hasOutbox)
    {
        this.connectionString = connectionString;
        this.schema = schema;
        this.tenantTables = tenantTables;
        this.hasOutbox = hasOutbox;
    }

    public static async Task<Func<Guid, Task<string>>> ForSchemaAsync(string adminConnectionString, string schema)
    {
        // Prepared after a few uses: planning the union of every table costs more than running it.
        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Pooling = true, MaxPoolSize = 4, MaxAutoPrepare = 10, AutoPrepareMinUsages = 2,
        }.ConnectionString;
        var tables = new List<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                select t.table_name
                from information_schema.tables t
                where t.table_schema = @schema and t.table_type = 'BASE TABLE'
                  and (t.table_name in ('scheduled_message', 'outbox_message') or exists (select 1 from information_schema.columns c
                       where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'tenant_id'))
                order by t.table_name
                """, connection);
            command.Parameters.AddWithValue("schema", schema);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }

        var hasOutbox = tables.Remove("outbox_message");
        if (tables.Count == 0)
            throw new InvalidOperationException($"Schema {schema} has no table with a tenant_id column.");
        var sql = string.Join("\nunion all\n", tables.Select(table =>
        {
            // The scheduler's messages carry the tenant in their body; there are few, and they change (cancelled, fired).
            var rows = table == "scheduled_message" ? "where position(@tenant_text in r.body) > 0" : "where r.tenant_id = @tenant";
            // A row's place and the transaction that wrote it change with every insert, update and delete, and reading them
            // does not decompress the row: a refused request that stored a 3 MB string must not make every later read slow.
            return $"""
                select '{table}' as name, count(*) as rows, md5(coalesce(string_agg(r.ctid::text || '@' || r.xmin::text, '|' order by r.ctid), '')) as hash
                from "{schema}"."{table}" r {rows}
                """;
        })) + "\norder by name";
        return new TenantFingerprint(connectionString, schema, sql, hasOutbox).ReadAsync;
    }

    async Task<string> ReadAsync(Guid tenant)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var text = new StringBuilder();
        var present = new List<long>();
        // One round trip for the tables and the outbox's row numbers: on a loaded machine each one costs.
        await using (var batch = new NpgsqlBatch(connection))
        {
            var tables = new NpgsqlBatchCommand(tenantTables);
            tables.Parameters.AddWithValue("tenant", tenant);
            tables.Parameters.AddWithValue("tenant_text", tenant.ToString());
            batch.BatchCommands.Add(tables);
            if (hasOutbox)
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"""select sequence_number from "{schema}".outbox_message"""));
            await using var reader = await batch.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.Append(CultureInfo.InvariantCulture, $"{reader.GetString(0)}: {reader.GetInt64(1)} rows {reader.GetString(2)}\n");
            if (hasOutbox && await reader.NextResultAsync())
                while (await reader.ReadAsync())
                    present.Add(reader.GetInt64(0));
        }

        if (hasOutbox)
        {
            var (count, hash) = await OutboxAsync(connection, present, tenant.ToString());
            text.Append(CultureInfo.InvariantCulture, $"outbox_message: {count} rows {hash}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The outbox rows that mention the tenant. Scanning every body each time is what costs (they are compressed, and the
    /// other tenants' traffic keeps adding rows), so only the rows not seen before are read.
    /// </summary>
    async Task<(int Count, string Hash)> OutboxAsync(NpgsqlConnection connection, List<long> present, string tenant)
    {
        await outboxGate.WaitAsync();
        try
        {
            var unread = present.Where(n => !outbox.ContainsKey(n)).ToArray();
            if (unread.Length > 0)
            {
                await using var command = new NpgsqlCommand(
                    $"""select sequence_number, md5(r::text), coalesce(r.body, '') || coalesce(r.headers, '') from "{schema}".outbox_message r where sequence_number = any(@unread)""",
                    connection);
                command.Parameters.AddWithValue("unread", unread);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    outbox[reader.GetInt64(0)] = (reader.GetString(1),
                        HostileInputs.Uuid().Matches(reader.GetString(2)).Select(m => m.Value).ToHashSet(StringComparer.OrdinalIgnoreCase));
            }

            var mine = present.Order().Where(n => outbox.TryGetValue(n, out var row) && row.Ids.Contains(tenant)).Select(n => outbox[n].Hash).ToList();
            return (mine.Count, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', mine)))));
        }
        finally
        {
            outboxGate.Release();
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// One scenario's world on the collection's own cluster and node: a database and a virtual host of its own, the effects
/// counter, the broker tap, and the real Leads service (one or more replicas) as child processes built in the same
/// configuration as the tests. It creates the contacts, runs the load, and looks at everything afterwards.
/// </summary>
public sealed class FaultScenario : IAsyncDisposable
{
    /// <summary>How long a server stays down in a scenario (issue 7: 20 s).</summary>
    public static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    /// <summary>How long after the load stops everything accepted must be in place.</summary>
    public static readonly TimeSpan SettleDeadline = TimeSpan.FromSeconds(90);

    const string LeadsSchema = "leads";
    const string ActivityRecorded = "GrowthOps.Contracts.Leads:ActivityRecorded";

    readonly FaultInfrastructure _infra;
    readonly ITestOutputHelper _output;
    readonly string _name;
    readonly string _database;
    readonly string _vhost;
    readonly Guid _tenant = Guid.NewGuid();
    readonly Dictionary<string, string?> _leadsSettings;
    readonly List<ChildProcess?> _leads = [];
    readonly List<int> _ports = [];
    readonly List<HttpClient> _clients = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    EffectsCounter? _counter;
    BrokerTap? _tap;

    FaultScenario(FaultInfrastructure infra, ITestOutputHelper output, string name, IDictionary<string, string?>? settings)
    {
        _infra = infra;
        _output = output;
        _name = name;
        var id = Guid.NewGuid().ToString("N");
        _database = $"faults_{name}_{id}"[..30];
        _vhost = $"faults-{name}-{id}"[..30];
        _leadsSettings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infra.Postgres.ServiceConnectionString(_database, LeadsSchema),
            ["RabbitMq:Host"] = "127.0.0.1",
            ["RabbitMq:Port"] = infra.Rabbit.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = _vhost,
            ["RabbitMq:Username"] = OwnRabbit.User,
            ["RabbitMq:Password"] = OwnRabbit.Password,
            ["Auth:SigningKey"] = TestEnvironment.SigningKey,
            ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-fault-secrets-key-32by"u8.ToArray()),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _leadsSettings[key] = value;
    }

    public IReadOnlyList<Guid> Contacts { get; private set; } = [];

    public IReadOnlyList<ChildProcess?> Leads => _leads;

    /// <summary>Provisions the database and virtual host, starts the counter, the tap and <paramref name="replicas"/> Leads processes.</summary>
    public static async Task<FaultScenario> StartAsync(FaultInfrastructure infra, ITestOutputHelper output, string name, int replicas = 1,
        IDictionary<string, string?>? leadsSettings = null)
    {
        var scenario = new FaultScenario(infra, output, name, leadsSettings);
        try
        {
            await scenario.InitializeAsync(replicas);
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    async Task InitializeAsync(int replicas)
    {
        await _infra.Postgres.CreateDatabaseAsync(_database, LeadsSchema, EffectsCounter.Schema);
        await _infra.Rabbit.CreateVirtualHostAsync(_vhost);
        _counter = await EffectsCounter.StartAsync(_infra.Postgres.ServiceConnectionString(_database, EffectsCounter.Schema), _infra.Rabbit.AmqpPort, _vhost);
        _tap = await BrokerTap.StartAsync(_infra.Rabbit.AmqpPort, _vhost,
        [
            "GrowthOps.Contracts.Leads:ContactUpdated", "GrowthOps.Contracts.Leads:LeadStateChanged", "GrowthOps.Contracts.Leads:LeadWentDormant",
            ActivityRecorded,
            // The lifecycle saga's endpoint: the scheduler sends the dormancy timeouts there.
            "leads-lead-lifecycle-state",
        ]);
        for (var i = 0; i < replicas; i++)
        {
            _ports.Add(ChildProcess.FreePort());
            _leads.Add(StartLeads(i));
            var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{_ports[i]}"), Timeout = TimeSpan.FromSeconds(15),
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(_tenant));
            _clients.Add(client);
        }

        await Task.WhenAll(_leads.Select(l => l!.WaitReadyAsync(TimeSpan.FromSeconds(120))));
        Log($"started: database {_database}, virtual host {_vhost}, {replicas} Leads process(es) (the collection's cluster and node took {_infra.StartedIn.TotalSeconds:F1} s to start)");
    }

    ChildProcess StartLeads(int replica) =>
        ChildProcess.Start(LeadsDll(), _leadsSettings, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, _ports[replica]);

    /// <summary><c>kill -9</c> of one replica.</summary>
    public async Task KillLeadsAsync(int replica)
    {
        var process = _leads[replica] ?? throw new InvalidOperationException($"Leads replica {replica} is not running.");
        await process.KillAsync();
        _output.WriteLine($"leads[{replica}] (pid {process.Id}) output before kill -9:\n{Tail(process.Output, 30)}");
        await process.DisposeAsync();
        _leads[replica] = null;
        Log($"killed leads[{replica}] (pid {process.Id})");
    }

    /// <summary>Starts a replica again on its port (its clients keep their address) and waits until it is ready.</summary>
    public async Task RestartLeadsAsync(int replica)
    {
        _leads[replica] = StartLeads(replica);
        await _leads[replica]!.WaitReadyAsync(TimeSpan.FromSeconds(120));
        Log($"restarted leads[{replica}] (pid {_leads[replica]!.Id})");
    }

    /// <summary>The tenant's dormancy period, through the API (it applies to the leads' next activity).</summary>
    public async Task SetDormancyPeriodAsync(TimeSpan period)
    {
        using var response = await _clients[0].PutAsJsonAsync("/api/leads/settings", new Dictionary<string, double> { ["dormancy_period_seconds"] = period.TotalSeconds });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task CreateContactsAsync(int count)
    {
        var ids = new Guid[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            using var response = await _clients[i % _clients.Count].PostAsJsonAsync("/api/leads/contacts",
                new Dictionary<string, string> { ["email"] = $"fault{i}@{_name}.test" }, ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        });
        Contacts = ids;
    }

    /// <summary>The scenarios' steady load: 6 clients, 4 requests per second each, over every replica.</summary>
    public LeadsLoad StartLoad()
    {
        var load = new LeadsLoad(_clients, Contacts, workers: 6, interval: TimeSpan.FromMilliseconds(250));
        load.Start();
        Log("load started");
        return load;
    }

    /// <summary>
    /// An importer's batch of 1,000 activities during the load; returns as soon as its first events are on the broker, so
    /// that the fault that follows meets messages in flight (in the outbox, in queues, in the consumers' hands) rather than
    /// idle consumers. Returns how many of them had reached the broker.
    /// </summary>
    public async Task<int> BuildBacklogAsync(LeadsLoad load)
    {
        var import = await load.ImportAsync(1000, 20);
        Assert.True(import.Outcome == RequestOutcome.Accepted, $"the import was not accepted: {import}");
        var onBroker = await Eventually.Until(() => Task.FromResult(_tap!.Count(ActivityRecorded)), n => n >= 50, TimeSpan.FromSeconds(30),
            "the import's events reach the broker");
        Log($"import of 1,000 activities accepted in {(import.Finished - import.Started).TotalSeconds:F1} s; {onBroker} of its events on the broker");
        return onBroker;
    }

    /// <summary>
    /// Polls until every accepted request's effects are in place and nothing is left over anywhere (or the deadline passes),
    /// and returns what it saw last. Call after the load has stopped.
    /// </summary>
    public async Task<ScenarioReport> SettleAsync(LeadsLoad load, FaultWindow? fault)
    {
        var records = load.Records;
        var from = DateTime.UtcNow;
        var deadline = from + SettleDeadline;
        ScenarioReport? report = null;
        var stuckBefore = false;
        while (true)
        {
            try
            {
                var state = await ObserveAsync();
                var now = DateTime.UtcNow;
                report = new ScenarioReport(_name, records, state, fault, null);
                if (report.Settled)
                {
                    report = new ScenarioReport(_name, records, state, fault, now - (fault?.Cleared ?? from));
                    break;
                }

                // Twice in a row, so a message between two hops is not taken for the end.
                if (report.Stuck && stuckBefore)
                    break;
                stuckBefore = report.Stuck;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                Log($"observing failed ({e.GetType().Name}: {e.Message}); looking again");
            }

            if (DateTime.UtcNow > deadline)
                break;
            await Task.Delay(500);
        }

        report ??= new ScenarioReport(_name, records, await ObserveAsync(), fault, null);
        foreach (var (queue, _) in report.ErrorQueues)
            foreach (var sample in await _tap!.PeekAsync(queue, 3))
                report.Diagnostics.Add($"in {queue}: {sample}");
        foreach (var duplicated in report.DuplicateEffects.Take(3))
            report.Diagnostics.AddRange(await DuplicateRowsAsync(duplicated.Marker));
        Print(report);
        return report;
    }

    void Print(ScenarioReport report)
    {
        _output.WriteLine(report.ToString());
        if (report.Settled && report.Lost.Count == 0 && report.ServerErrors == 0)
            return;
        for (var i = 0; i < _leads.Count; i++)
            if (_leads[i] is { } leads)
                _output.WriteLine($"leads[{i}] (pid {leads.Id}) output, last lines:\n{Tail(leads.Output, 60)}");
        _output.WriteLine($"effects counter warnings, last lines:\n{Tail(_counter?.Log.Text ?? "", 40)}");
    }

    async Task<SystemState> ObserveAsync()
    {
        await using var db = new NpgsqlConnection(_infra.Postgres.AdminConnectionStringFor(_database));
        await db.OpenAsync();
        // An update leaves an attribute named after its marker; a transition its notes; an import its marker in each activity.
        var rows = await Counts<string>(db, $"""
            select substr(key, 4), count(*) from leads.contacts c, jsonb_object_keys(c.attributes) key where key like 'op\_%' group by 1
            union all
            select notes, count(*) from leads.lead_state_history where triggered_by = '{LeadsLoad.TriggeredBy}' and notes is not null group by notes
            union all
            select metadata->>'{LeadsLoad.ImportMarker}', count(*) from leads.activities where metadata ? '{LeadsLoad.ImportMarker}' group by 1
            """);
        var effects = (await Rows(db, """
                select marker, count(*), count(distinct item_id) from faults.effect
                where kind in ('update', 'transition', 'activity') and marker is not null group by marker
                """, r => (r.GetString(0), new SystemState.Counted((int)r.GetInt64(1), (int)r.GetInt64(2)))))
            .ToDictionary(x => x.Item1, x => x.Item2);
        var lifecycle = await Rows(db, """
            select h.id, h.contact_id, s.name from leads.lead_state_history h join leads.lead_states s on s.id = h.to_state_id
            where h.triggered_by = 'lead-lifecycle'
            """, r => (Id: r.GetGuid(0), Contact: r.GetGuid(1), State: r.GetString(2)));
        var lifecycleEffects = await Counts<Guid>(db, "select item_id, count(*) from faults.effect where kind = 'system-transition' group by item_id");
        var wentDormant = await Counts<Guid>(db, "select contact_id, count(*) from faults.effect where kind = 'went-dormant' group by contact_id");

        var outbox = new Dictionary<string, long>();
        var deadLetters = new Dictionary<string, long>();
        var overdue = new Dictionary<string, long>();
        var dueSoon = new Dictionary<string, long>();
        foreach (var schema in new[] { LeadsSchema, EffectsCounter.Schema })
        {
            outbox[schema] = await Scalar(db, $"select count(*) from {schema}.outbox_message");
            deadLetters[schema] = await Scalar(db, $"select case when to_regclass('{schema}.dead_letter') is null then 0 else (select count(*) from {schema}.dead_letter) end");
            // A due row the scheduler has not sent ten seconds later: the scheduler has stopped.
            overdue[schema] = await Scalar(db,
                $"select count(*) from {schema}.scheduled_message where not cancelled and not paused and not fired and scheduled_time < now() - interval '10 seconds'");
            dueSoon[schema] = await Scalar(db, $"""
                select count(*) from {schema}.scheduled_message
                where not cancelled and not paused and not fired and scheduled_time between now() - interval '10 seconds' and now() + interval '15 seconds'
                """);
        }

        var unhealthy = new List<string>();
        for (var i = 0; i < _leads.Count; i++)
        {
            if (_leads[i] is not { } leads)
                unhealthy.Add($"leads[{i}] is not running");
            else if (leads.HasExited)
                unhealthy.Add($"leads[{i}] exited");
            else if (await ReadinessProblem(_clients[i]) is { } problem)
                unhealthy.Add($"leads[{i}] not ready: {problem}");
        }

        if (_counter!.Health != MassTransit.BusHealthStatus.Healthy)
            unhealthy.Add($"effects counter bus {_counter.Health}");

        var queues = (await _infra.Rabbit.QueuesAsync(_vhost)).Where(q => q.Key != BrokerTap.Queue).ToDictionary(q => q.Key, q => q.Value);
        return new SystemState(rows, effects,
            lifecycle.ToDictionary(l => l.Id, _ => 1),
            lifecycle.Where(l => l.State == "dormant").GroupBy(l => l.Contact).ToDictionary(g => g.Key, g => g.Count()),
            lifecycleEffects, wentDormant, _tap!.Seen, queues, outbox, deadLetters, overdue, dueSoon, unhealthy);
    }

    /// <summary>The effect rows of a duplicated effect: which messages (ids, times) produced it twice.</summary>
    async Task<IEnumerable<string>> DuplicateRowsAsync(string marker)
    {
        await using var db = new NpgsqlConnection(_infra.Postgres.AdminConnectionStringFor(_database));
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            select item_id, string_agg(message_id::text || ' at ' || to_char(recorded_at, 'HH24:MI:SS.MS'), ', ' order by recorded_at)
            from faults.effect where marker = $1 group by item_id having count(*) > 1 limit 3
            """, db);
        cmd.Parameters.Add(new NpgsqlParameter { Value = marker });
        return await ReadAll(cmd, r => $"duplicated effect of {marker} on {r.GetGuid(0)}: messages {r.GetString(1)}");
    }

    static async Task<List<T>> ReadAll<T>(NpgsqlCommand cmd, Func<NpgsqlDataReader, T> read)
    {
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(read(reader));
        return rows;
    }

    static async Task<string?> ReadinessProblem(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health/ready");
            return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.Message;
        }
    }

    static async Task<List<T>> Rows<T>(NpgsqlConnection db, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        return await ReadAll(cmd, read);
    }

    static async Task<Dictionary<T, int>> Counts<T>(NpgsqlConnection db, string sql)
        where T : notnull =>
        (await Rows(db, sql, r => (r.GetFieldValue<T>(0), (int)r.GetInt64(1)))).ToDictionary(x => x.Item1, x => x.Item2);

    static async Task<long> Scalar(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    void Log(string message) => _output.WriteLine($"[{_name} +{_clock.Elapsed.TotalSeconds:F1} s] {message}");

    static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    /// <summary>The Leads service built next to this test assembly's configuration (Release under <c>./growthops test</c>).</summary>
    static string LeadsDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var dir = output; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return Path.Combine(dir.FullName, "services", "Leads", "GrowthOps.Leads", "bin", configuration, framework, "GrowthOps.Leads.dll");
        throw new InvalidOperationException("GrowthOps.sln not found above the test assembly.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var leads in _leads)
            if (leads is not null)
                await leads.DisposeAsync();
        foreach (var client in _clients)
            client.Dispose();
        if (_tap is not null)
            await _tap.DisposeAsync();
        if (_counter is not null)
            await _counter.DisposeAsync();
        await _infra.Rabbit.DeleteVirtualHostAsync(_vhost);
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var admin = new NpgsqlConnection(_infra.Postgres.AdminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists \"{_database}\" with (force)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The cluster goes away with the collection.
        }
    }
}

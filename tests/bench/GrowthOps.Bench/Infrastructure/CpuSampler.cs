using System.Globalization;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// Where the CPU went during a phase, from /proc: this process, PostgreSQL (its background processes and the backends
/// of the benchmark's own databases), RabbitMQ, and everything else on the machine (the other engineers' builds, tests and
/// their PostgreSQL backends), in cores. Linux only; silently empty elsewhere. Processes that ended during the phase are
/// only in the machine total (so in "other").
/// </summary>
public sealed class CpuSampler
{
    /// <summary>Databases whose PostgreSQL backends count as the benchmark's (the others' backends count as "other").</summary>
    static readonly HashSet<string> OwnDatabases = [];

    readonly Snapshot _start = Snapshot.Take();
    readonly long _jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
    readonly TimeSpan _jitTime = System.Runtime.JitInfo.GetCompilationTime();
    readonly long _allocated = GC.GetTotalAllocatedBytes();
    readonly int _gen0 = GC.CollectionCount(0);
    readonly int _gen2 = GC.CollectionCount(2);
    readonly TimeSpan _gcPause = GC.GetTotalPauseDuration();

    public static CpuSampler Start() => new();

    /// <summary>Processes counted under their own name (the services a benchmark starts) instead of "other".</summary>
    static readonly Dictionary<int, string> NamedProcesses = [];

    public static void NameProcess(int pid, string group)
    {
        lock (NamedProcesses)
            NamedProcesses[pid] = group;
    }

    /// <summary>
    /// Machine CPU milliseconds per operation since the start, split by process group (named processes, bench, postgres,
    /// rabbitmq, other), and the busy total: what one operation costs the whole machine, whoever did the work.
    /// </summary>
    public (double BusyMs, IReadOnlyList<(string Group, double Ms)> Split) CostPerOperation(long operations)
    {
        var end = Snapshot.Take();
        if (operations <= 0 || end.Total == _start.Total)
            return (0, []);
        var msPerTick = 1000.0 / TicksPerSecond;
        var groups = end.Processes.Values.Select(p => p.Group).Distinct().ToList();
        var split = groups.Where(g => g != "other").Select(g => (Group: g == "self" ? "bench" : g, Ms: Delta(end, g) * msPerTick / operations)).ToList();
        // "Busy" is counted per core in /proc/stat; the sum over cores is the CPU time of everything that ran.
        var busyMs = (end.Busy - _start.Busy) * msPerTick / operations;
        split.Add(("other", Math.Max(0, busyMs - split.Sum(x => x.Ms))));
        return (busyMs, split.OrderByDescending(x => x.Ms).ToList());
    }

    public static void TrackDatabase(string name)
    {
        lock (OwnDatabases)
            OwnDatabases.Add(name);
    }

    /// <summary>The machine as a whole: busy cores, of which this process.</summary>
    public string Machine()
    {
        var end = Snapshot.Take();
        var ticks = end.Total - _start.Total;
        if (ticks <= 0)
            return "cpu: n/a";
        var cores = Environment.ProcessorCount;
        return $"machine busy {F((end.Busy - _start.Busy) * (double)cores / ticks)} of {cores} cores, this process {F(Delta(end, "self") * (double)cores / ticks)}";
    }

    /// <summary>This process's runtime work since the start: JIT, allocations (per <paramref name="operations"/>), GCs.</summary>
    public string Runtime(long operations)
    {
        var allocated = GC.GetTotalAllocatedBytes() - _allocated;
        return $"runtime: {System.Runtime.JitInfo.GetCompiledMethodCount() - _jitted} methods jitted " +
               $"({F((System.Runtime.JitInfo.GetCompilationTime() - _jitTime).TotalMilliseconds)} ms), " +
               $"{(operations > 0 ? allocated / operations / 1024 : 0)} KiB allocated per operation, " +
               $"{GC.CollectionCount(0) - _gen0} gen0 / {GC.CollectionCount(2) - _gen2} gen2 GCs, " +
               $"{F((GC.GetTotalPauseDuration() - _gcPause).TotalMilliseconds)} ms GC pauses";
    }

    /// <summary>CPU milliseconds per operation spent by this process and by PostgreSQL (less sensitive to other load than rates).</summary>
    public string PerOperation(long operations)
    {
        var end = Snapshot.Take();
        if (operations <= 0 || end.Total == _start.Total)
            return "cpu per operation: n/a";
        var msPerTick = 1000.0 / TicksPerSecond;
        return $"cpu per operation: bench {F(Delta(end, "self") * msPerTick / operations)} ms, postgres {F(Delta(end, "postgres") * msPerTick / operations)} ms, " +
               $"rabbitmq {F(Delta(end, "rabbitmq") * msPerTick / operations)} ms";
    }

    /// <summary>USER_HZ: the unit of /proc times (100 on every mainstream Linux).</summary>
    const double TicksPerSecond = 100;

    public string Report()
    {
        var end = Snapshot.Take();
        var ticks = end.Total - _start.Total;
        if (ticks <= 0)
            return "cpu: n/a";
        var cores = Environment.ProcessorCount;
        double Cores(long t) => t * (double)cores / ticks;
        var self = Delta(end, "self");
        var postgres = Delta(end, "postgres");
        var rabbit = Delta(end, "rabbitmq");
        var busy = end.Busy - _start.Busy;
        var other = Math.Max(0, busy - self - postgres - rabbit);
        var iowait = end.IoWait - _start.IoWait;
        return $"cpu (cores of {cores}): bench {F(Cores(self))}, postgres {F(Cores(postgres))}, rabbitmq {F(Cores(rabbit))}, " +
               $"other {F(Cores(other))}, idle {F(Cores(ticks - busy - iowait))}, iowait {F(Cores(iowait))}";
    }

    long Delta(Snapshot end, string group)
    {
        long sum = 0;
        foreach (var (pid, (g, t)) in end.Processes)
            if (g == group)
                sum += t - (_start.Processes.TryGetValue(pid, out var s) ? s.Ticks : 0);
        return sum;
    }

    static string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    /// <summary>A client backend's title is "postgres: 15/main: user database 127.0.0.1(port) state"; background processes have none.</summary>
    static string PostgresGroup(string dir)
    {
        string title;
        try
        {
            title = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "postgres";
        }

        if (!title.Contains('(', StringComparison.Ordinal) && !title.Contains("[local]", StringComparison.Ordinal))
            return "postgres";
        lock (OwnDatabases)
            foreach (var database in OwnDatabases)
                if (title.Contains($" {database} ", StringComparison.Ordinal))
                    return "postgres";
        return "other";
    }

    sealed record Snapshot(long Total, long Busy, long IoWait, Dictionary<int, (string Group, long Ticks)> Processes)
    {
        public static Snapshot Take()
        {
            try
            {
                var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                    .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                // user nice system idle iowait irq softirq steal (guest time is already in user).
                var total = cpu.Take(8).Sum();
                var idle = cpu[3];
                var iowait = cpu[4];
                var processes = new Dictionary<int, (string, long)>();
                var self = Environment.ProcessId;
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                {
                    if (!int.TryParse(Path.GetFileName(dir), out var pid))
                        continue;
                    try
                    {
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        var open = stat.IndexOf('(', StringComparison.Ordinal);
                        var close = stat.LastIndexOf(')');
                        var comm = stat[(open + 1)..close];
                        var fields = stat[(close + 2)..].Split(' ');
                        // After "pid (comm) ": state is fields[0]; utime and stime are stat fields 14 and 15.
                        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                        string? named;
                        lock (NamedProcesses)
                            NamedProcesses.TryGetValue(pid, out named);
                        var group = named ?? (pid == self ? "self"
                            : comm == "postgres" ? PostgresGroup(dir)
                            : comm.StartsWith("beam", StringComparison.Ordinal) || comm is "erl_child_setup" or "epmd" or "inet_gethost" ? "rabbitmq"
                            : "other");
                        processes[pid] = (group, ticks);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException
                                                  or IndexOutOfRangeException)
                    {
                        // The process ended while we looked.
                    }
                }

                return new Snapshot(total, total - idle - iowait, iowait, processes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
            {
                return new Snapshot(0, 0, 0, []);
            }
        }
    }
}

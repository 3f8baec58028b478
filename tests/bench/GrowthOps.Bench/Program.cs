using GrowthOps.Bench;
using GrowthOps.Bench.Cortex;
using GrowthOps.Bench.Email;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Bench.Leads;
using GrowthOps.Bench.Messaging;
using GrowthOps.Bench.Segments;

// ./growthops bench <name> [args...]: one class per benchmark, chosen by name.
var benchmarks = new Dictionary<string, Func<IBenchmark>>(StringComparer.OrdinalIgnoreCase)
{
    ["messaging"] = () => new MessagingBenchmark(),
    ["leads"] = () => new LeadsBenchmark(),
    ["segments"] = () => new SegmentsBenchmark(),
    ["email"] = () => new EmailBenchmark(),
    ["cortex"] = () => new CortexBenchmark(),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var create))
{
    Console.Error.WriteLine("usage: GrowthOps.Bench <benchmark> [args...]");
    Console.Error.WriteLine($"benchmarks: {string.Join(", ", benchmarks.Keys.Order(StringComparer.Ordinal))}");
    Console.Error.WriteLine("environment: GROWTHOPS_PG_ADMIN, GROWTHOPS_RABBIT_HOST/PORT/MGMT/USER/PASS (local defaults when unset)");
    return 2;
}

using var cancellation = new CancellationTokenSource();
using var shutdown = BenchShutdown.Register(cancellation);
var benchmark = create();
try
{
    return await benchmark.RunAsync(args[1..], cancellation.Token);
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark cancelled");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark {args[0]} failed: {e}");
    return 1;
}

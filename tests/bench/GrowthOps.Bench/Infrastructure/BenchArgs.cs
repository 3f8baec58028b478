namespace GrowthOps.Bench.Infrastructure;

/// <summary>Options as <c>--name value</c> pairs, with the benchmark's defaults when absent or malformed.</summary>
public static class BenchArgs
{
    public static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

using System.Globalization;
using System.Text;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>What a run sent and found: failures grouped by class, each class with its first request in full (to replay it).</summary>
public sealed class HostileInputReport(
    int seed, int hostile, int valid, TimeSpan duration, IReadOnlyList<FuzzFailure> failures, IReadOnlyDictionary<string, int> statuses)
{
    public int Seed { get; } = seed;

    /// <summary>Hostile requests sent.</summary>
    public int HostileRequests { get; } = hostile;

    /// <summary>Valid requests sent alongside them.</summary>
    public int ValidRequests { get; } = valid;

    public TimeSpan Duration { get; } = duration;

    public IReadOnlyList<FuzzFailure> Failures { get; } = failures;

    /// <summary>How many answers of each status each family of input got ("string: 400 ×31, 500 ×3").</summary>
    public IReadOnlyDictionary<string, int> Statuses { get; } = statuses;

    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Hostile input: {HostileRequests} hostile and {ValidRequests} valid requests in {Duration.TotalSeconds:F1} s, seed {Seed} (GROWTHOPS_FUZZ_SEED={Seed} replays them; GROWTHOPS_FUZZ_CASE=<id> runs one).\n");
        foreach (var family in Statuses.GroupBy(s => s.Key.Split(' ')[0], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture,
                $"  {family.Key}: {string.Join(", ", family.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key.Split(' ')[1]} ×{s.Value}"))}\n");
        if (Failures.Count == 0)
        {
            text.Append("No failures.\n");
            return text.ToString();
        }

        var classes = Failures.GroupBy(f => f.Class, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        text.Append(CultureInfo.InvariantCulture, $"{Failures.Count} failures in {classes.Count} classes (property · input · status), each with its first request:\n");
        foreach (var group in classes)
        {
            var first = group.First();
            var operations = group.GroupBy(f => f.Operation, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}");
            text.Append(CultureInfo.InvariantCulture, $"\n● {group.Key} — ×{group.Count()}: {string.Join(", ", operations)}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {first.Detail}\n");
            if (first.Request is { } request)
                text.Append(CultureInfo.InvariantCulture, $"  case {request.Id}: {request.Description}\n");
            text.Append(first.Exchange).Append('\n');
        }

        return text.ToString();
    }

    public override string ToString() => Summary();
}

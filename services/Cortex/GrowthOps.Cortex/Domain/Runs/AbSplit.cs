using System.Text.Json;
using GrowthOps.Cortex.Data;
using GrowthOps.Modelling;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// An A/B split's choice. <c>strategy: weighted</c> (the default) is random by weight; <c>strategy: thompson</c> is a bandit on
/// the workflow's goal: each variant's finished runs and conversions give a Beta posterior, one draw per posterior, the highest
/// wins — traffic moves to the better branch as the evidence grows. Both draw from the run and node ids, so a replayed step
/// takes the same branch. (The draw once read a derived id's bytes, whose top byte carries the UUID version: every run took
/// the first variant at 50/50; the distribution test failed on it.)
/// </summary>
public sealed class AbSplit(RunsStore runs)
{
    public const string Weighted = "weighted";
    public const string Thompson = "thompson";

    public static string Strategy(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("strategy", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : Weighted;

    public static IReadOnlyList<(string Id, double Weight)> Variants(JsonElement data) =>
        data.GetProperty("variants").EnumerateArray()
            .Select(v => (v.GetProperty("id").GetString()!, v.TryGetProperty("weight", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 1))
            .ToList();

    public async Task<(string Variant, IReadOnlyList<Arm>? Arms)> ChooseAsync(JsonElement data, Guid workflowId, Guid runId, string nodeId, CancellationToken ct)
    {
        var variants = Variants(data);
        var key = $"ab/{runId:N}/{nodeId}";
        if (Strategy(data) != Thompson)
            return (ByWeight(variants, ExecuteStep.Unit(key)), null);

        var arms = await ArmsAsync(variants, workflowId, nodeId, ct);
        return (BetaBandit.Choose(arms, new Random(ExecuteStep.Seed(key))), arms);
    }

    public async Task<IReadOnlyList<Arm>> ArmsAsync(IReadOnlyList<(string Id, double Weight)> variants, Guid workflowId, string nodeId, CancellationToken ct)
    {
        var outcomes = (await runs.SplitOutcomesAsync(workflowId, nodeId, ct)).ToDictionary(o => o.Variant);
        return variants.Select(v => outcomes.TryGetValue(v.Id, out var o) ? new Arm(v.Id, o.Trials, o.Successes) : new Arm(v.Id, 0, 0)).ToList();
    }

    /// <summary>The variant a unit draw in [0, 1) lands on, each taking its weight's share (workflows' splits, sequences' email variants).</summary>
    public static string ByWeight(IReadOnlyList<(string Id, double Weight)> variants, double unit)
    {
        var draw = unit * variants.Sum(v => v.Weight);
        foreach (var (id, weight) in variants)
        {
            if (draw < weight)
                return id;
            draw -= weight;
        }

        return variants[^1].Id;
    }
}

using System.Text.Json;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>Random by weight, drawn from the run and node ids: a replayed step takes the same branch.</summary>
public static class AbSplit
{
    public static string Choose(JsonElement data, Guid runId, string nodeId)
    {
        var variants = data.GetProperty("variants").EnumerateArray()
            .Select(v => (Id: v.GetProperty("id").GetString()!, Weight: v.GetProperty("weight").GetDouble())).ToList();
        var draw = BitConverter.ToUInt64(ExecuteStep.Derive($"ab/{runId:N}/{nodeId}").ToByteArray(), 0) / (double)ulong.MaxValue * variants.Sum(v => v.Weight);
        foreach (var (id, weight) in variants)
        {
            if (draw < weight)
                return id;
            draw -= weight;
        }

        return variants[^1].Id;
    }
}

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>What every scenario must show once the fault is over: accepted work is never lost.</summary>
public static class FaultAssert
{
    /// <summary>
    /// Every accepted request has exactly its row and its event effect, no rejected request has any, nothing is left in an
    /// outbox, a dead-letter table, an <c>_error</c> queue or an overdue schedule, every process recovered on its own, and
    /// no request got a server error other than a 503 problem. <paramref name="allowedRejections"/> are the 4xx statuses
    /// the scenario can cause legitimately.
    /// </summary>
    public static void AcceptedWorkIsNeverLost(ScenarioReport report, params int[] allowedRejections)
    {
        var why = report.ToString();
        Assert.True(report.Accepted > 0, $"nothing was accepted:\n{why}");
        Assert.True(report.Lost.Count == 0, $"{report.Lost.Count} accepted requests lack their row or event:\n{why}");
        Assert.True(report.DuplicateEffects.Count == 0, $"{report.DuplicateEffects.Count} requests had their effect more than once:\n{why}");
        Assert.True(report.EffectsOfRejected.Count == 0, $"{report.EffectsOfRejected.Count} rejected requests have effects:\n{why}");
        Assert.True(report.StrayEffects == 0, $"{report.StrayEffects} effects belong to no request:\n{why}");
        Assert.True(report.LifecycleEffectsMissing == 0 && report.LifecycleEffectsDuplicated == 0 && report.WentDormantMismatches == 0,
            $"lifecycle transitions and their events disagree:\n{why}");
        Assert.True(report.ServerErrors == 0, $"{report.ServerErrors} requests got a server error other than 503:\n{why}");
        Assert.True(report.UnavailableWithoutProblem == 0, $"{report.UnavailableWithoutProblem} 503 answers were not application/problem+json with Retry-After:\n{why}");
        var unexpected = report.Statuses.Keys.Where(s => s is >= 400 and < 500 && !allowedRejections.Contains(s)).ToList();
        Assert.True(unexpected.Count == 0, $"unexpected client errors {string.Join(", ", unexpected)}:\n{why}");
        Assert.True(report.Settled, $"not everything was in place within {FaultScenario.SettleDeadline.TotalSeconds} s of the load stopping, or something was lost for good:\n{why}");
    }
}

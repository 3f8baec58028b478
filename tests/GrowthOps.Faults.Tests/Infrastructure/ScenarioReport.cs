using System.Globalization;
using System.Text;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// The load's requests held against what exists afterwards. An accepted request needs its row in the leads schema and
/// exactly one effect in the counter; a rejected one neither; one without an answer both or neither. Lifecycle transitions
/// (dormancy timeouts) need exactly one effect per history row.
/// </summary>
public sealed class ScenarioReport
{
    const string TimeoutType = "urn:message:GrowthOps.Leads.StateMachines:LeadDormancyTimeout";

    public ScenarioReport(string scenario, IReadOnlyList<RequestRecord> records, SystemState state, FaultWindow? fault, TimeSpan? settledAfter)
    {
        Scenario = scenario;
        State = state;
        Fault = fault;
        EffectsCompleteAfter = settledAfter;
        Attempted = records.Count;
        Statuses = records.GroupBy(r => r.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        Accepted = records.Count(r => r.Outcome == RequestOutcome.Accepted);
        Rejected = records.Count(r => r.Outcome == RequestOutcome.Rejected);
        Unknown = records.Count(r => r.Outcome == RequestOutcome.Unknown);
        ServerErrors = records.Count(r => r.Status >= 500 && r.Status != 503);
        UnavailableWithoutProblem = records.Count(r => r.Status == 503 && (r.ContentType != "application/problem+json" || !r.RetryAfter));

        var known = new HashSet<string>();
        foreach (var r in records)
        {
            known.Add(r.Marker);
            var rows = state.Rows.GetValueOrDefault(r.Marker);
            var effects = state.Effects.GetValueOrDefault(r.Marker) ?? new SystemState.Counted(0, 0);
            Rows += rows;
            EffectsCounted += effects.Total;
            if (effects.Total > effects.Distinct || rows > r.Expected || effects.Distinct > rows)
                DuplicateEffects.Add(r);
            switch (r.Outcome)
            {
                case RequestOutcome.Accepted when rows < r.Expected || effects.Distinct < r.Expected:
                    Lost.Add(r);
                    break;
                case RequestOutcome.Rejected when rows > 0 || effects.Total > 0:
                    EffectsOfRejected.Add(r);
                    break;
                // Without an answer: all of it or nothing, and what was committed must be delivered.
                case RequestOutcome.Unknown when rows == 0 && effects.Total > 0:
                    EffectsOfRejected.Add(r);
                    break;
                case RequestOutcome.Unknown when rows > 0 && (rows < r.Expected || effects.Distinct < rows):
                    Lost.Add(r);
                    break;
                case RequestOutcome.Unknown when rows > 0:
                    UnknownButApplied++;
                    break;
            }
        }

        StrayEffects = state.Effects.Where(e => !known.Contains(e.Key)).Sum(e => e.Value.Total) + state.Rows.Where(e => !known.Contains(e.Key)).Sum(e => e.Value);

        LifecycleTransitions = state.LifecycleRows.Count;
        LifecycleEffectsMissing = state.LifecycleRows.Keys.Count(h => state.LifecycleEffects.GetValueOrDefault(h) == 0);
        LifecycleEffectsDuplicated = state.LifecycleEffects.Count(e => e.Value > 1) + state.LifecycleEffects.Count(e => !state.LifecycleRows.ContainsKey(e.Key));
        WentDormant = state.WentDormantEffectsPerContact.Values.Sum();
        WentDormantMismatches = state.LifecycleDormantRowsPerContact.Keys.Union(state.WentDormantEffectsPerContact.Keys)
            .Count(c => state.LifecycleDormantRowsPerContact.GetValueOrDefault(c) != state.WentDormantEffectsPerContact.GetValueOrDefault(c));

        var events = state.Broker.Values.Where(c => c.MessageType != TimeoutType).ToList();
        var timeouts = state.Broker.Values.Where(c => c.MessageType == TimeoutType).ToList();
        EventsOnBroker = events.Count;
        EventsSentTwice = events.Sum(c => c.Sent - 1);
        TimeoutsFired = timeouts.Count;
        TimeoutsFiredTwice = timeouts.Sum(c => c.Sent - 1);

        if (fault is not null)
        {
            var firstAfter = records.Where(r => r.Outcome == RequestOutcome.Accepted && r.Started >= fault.Cleared).MinBy(r => r.Finished);
            ApiRecoveredAfter = firstAfter is null ? null : firstAfter.Finished - fault.Cleared;
            DuringFault = records.Where(r => fault.Contains(r.Started)).ToList();
        }
    }

    public string Scenario { get; }
    public SystemState State { get; }
    public FaultWindow? Fault { get; }
    public int Attempted { get; }
    public int Accepted { get; }
    public int Rejected { get; }
    public int Unknown { get; }
    public int UnknownButApplied { get; }
    public IReadOnlyDictionary<int, int> Statuses { get; }
    public int ServerErrors { get; }
    public int UnavailableWithoutProblem { get; }
    public int Rows { get; }
    public int EffectsCounted { get; }
    public List<RequestRecord> Lost { get; } = [];
    public List<RequestRecord> DuplicateEffects { get; } = [];
    public List<RequestRecord> EffectsOfRejected { get; } = [];
    public int StrayEffects { get; }
    public int LifecycleTransitions { get; }
    public int LifecycleEffectsMissing { get; }
    public int LifecycleEffectsDuplicated { get; }
    public int WentDormant { get; }
    public int WentDormantMismatches { get; }
    public int EventsOnBroker { get; }
    public int EventsSentTwice { get; }
    public int TimeoutsFired { get; }
    public int TimeoutsFiredTwice { get; }
    public TimeSpan? ApiRecoveredAfter { get; }
    public TimeSpan? EffectsCompleteAfter { get; }
    public IReadOnlyList<RequestRecord> DuringFault { get; } = [];

    public IEnumerable<KeyValuePair<string, long>> ErrorQueues =>
        State.Queues.Where(q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0);

    public IEnumerable<KeyValuePair<string, long>> Backlog =>
        State.Queues.Where(q => !q.Key.EndsWith("_error", StringComparison.Ordinal) && !q.Key.EndsWith("_skipped", StringComparison.Ordinal) && q.Value > 0);

    /// <summary>Everything accepted has arrived and nothing is left anywhere: what the scenarios poll for.</summary>
    public bool Settled =>
        Lost.Count == 0 && LifecycleEffectsMissing == 0 && WentDormantMismatches == 0 && !ErrorQueues.Any() && !Backlog.Any()
        && State.Outbox.Values.Sum() == 0 && State.DeadLetters.Values.Sum() == 0 && State.OverdueSchedules.Values.Sum() == 0
        && State.UnhealthyProcesses.Count == 0;

    /// <summary>
    /// Something is lost for good (an <c>_error</c> queue or a dead-letter table holds it: nothing replays those on its own)
    /// and nothing is moving any more: waiting longer changes nothing.
    /// </summary>
    public bool Stuck =>
        (ErrorQueues.Any() || State.DeadLetters.Values.Sum() > 0) && !Backlog.Any() && State.Outbox.Values.Sum() == 0 && State.DueSoon.Values.Sum() == 0
        && State.OverdueSchedules.Values.Sum() == 0;

    /// <summary>Details a failing scenario adds: the first messages of each error queue, the rows of a duplicated effect.</summary>
    public List<string> Diagnostics { get; } = [];

    public override string ToString()
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"== {Scenario}");
        if (Fault is not null)
            s.AppendLine(CultureInfo.InvariantCulture,
                $"fault: {Fault.Description}, {Seconds(Fault.Cleared - Fault.Began)} from the stop until it accepted connections again; {DuringFault.Count} requests started meanwhile ({Describe(DuringFault)})");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"requests: {Attempted} sent, {Accepted} accepted, {Rejected} rejected, {Unknown} without an answer ({UnknownButApplied} of them applied); statuses {string.Join(", ", Statuses.Select(x => $"{(x.Key == 0 ? "none" : x.Key.ToString(CultureInfo.InvariantCulture))}×{x.Value}"))}");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"effects: {Rows} rows in the leads schema, {EffectsCounted} events counted behind the inbox; lost {Lost.Count} requests, duplicated {DuplicateEffects.Count}, effects of rejected requests {EffectsOfRejected.Count}, stray {StrayEffects}");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"lifecycle: {LifecycleTransitions} timeout transitions ({LifecycleEffectsMissing} without their event, {LifecycleEffectsDuplicated} duplicated), {WentDormant} LeadWentDormant ({WentDormantMismatches} contacts mismatched)");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"broker: {EventsOnBroker} events, {EventsSentTwice} sent more than once (absorbed by the inboxes); {TimeoutsFired} dormancy timeouts fired, {TimeoutsFiredTwice} fired more than once");
        if (Fault is null)
            s.AppendLine(CultureInfo.InvariantCulture, $"recovery: no fault; every effect in place {Seconds(EffectsCompleteAfter)} after the load stopped");
        else
            s.AppendLine(CultureInfo.InvariantCulture,
                $"recovery: API {Seconds(ApiRecoveredAfter)} after the fault cleared, every effect in place {Seconds(EffectsCompleteAfter)} after it");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"left over: outbox {Join(State.Outbox)}; dead letters {Join(State.DeadLetters)}; overdue schedules {Join(State.OverdueSchedules)}; error/skipped queues {Join(ErrorQueues)}; backlog {Join(Backlog)}; unhealthy {(State.UnhealthyProcesses.Count == 0 ? "none" : string.Join("; ", State.UnhealthyProcesses))}");
        foreach (var line in Diagnostics)
            s.AppendLine(CultureInfo.InvariantCulture, $"  {line}");
        foreach (var r in Lost.Take(5))
            s.AppendLine(CultureInfo.InvariantCulture, $"  lost: {r}");
        foreach (var r in EffectsOfRejected.Take(5))
            s.AppendLine(CultureInfo.InvariantCulture, $"  effect of a rejected request: {r}");
        foreach (var r in DuplicateEffects.Take(5))
            s.AppendLine(CultureInfo.InvariantCulture, $"  duplicated: {r}");
        return s.ToString();
    }

    static string Describe(IReadOnlyList<RequestRecord> records) =>
        records.Count == 0 ? "none" : string.Join(", ", records.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}×{g.Count()}"));

    static string Join(IEnumerable<KeyValuePair<string, long>> values)
    {
        var nonZero = values.Where(v => v.Value > 0).ToList();
        return nonZero.Count == 0 ? "none" : string.Join(", ", nonZero.Select(v => $"{v.Key}={v.Value}"));
    }

    static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s" : "never";
}

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>What the client knows about a request: the answer decides which effects it must have.</summary>
public enum RequestOutcome
{
    /// <summary>2xx: its effects must all be there, exactly once.</summary>
    Accepted,

    /// <summary>An error answer, or the connection was refused before anything was sent: it must have no effect.</summary>
    Rejected,

    /// <summary>No answer (the connection broke, the process died, the client timed out): all of its effects or none.</summary>
    Unknown,
}

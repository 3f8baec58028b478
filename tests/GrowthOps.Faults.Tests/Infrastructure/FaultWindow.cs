namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>When the fault began and when it was cleared (the server accepts connections again, the process is ready again).</summary>
public sealed record FaultWindow(string Description, DateTime Began, DateTime Cleared)
{
    public bool Contains(DateTime at) => at >= Began && at < Cleared;
}

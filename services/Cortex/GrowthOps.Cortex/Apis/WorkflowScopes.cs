namespace GrowthOps.Cortex.Apis;

/// <summary>The automation seed's permissions, as token scopes (<c>workflow.*</c> grants them all).</summary>
public static class WorkflowScopes
{
    public const string Create = "workflow.create";
    public const string Read = "workflow.read";
    public const string Update = "workflow.update";
    public const string Delete = "workflow.delete";
    public const string Execute = "workflow.execute";
    public const string Pause = "workflow.pause";
    public const string ViewRuns = "workflow.view_runs";
    public const string ViewAnalytics = "workflow.view_analytics";

    public static readonly string[] All = [Create, Read, Update, Delete, Execute, Pause, ViewRuns, ViewAnalytics];
}

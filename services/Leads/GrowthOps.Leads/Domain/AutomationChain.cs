namespace GrowthOps.Leads.Domain;

/// <summary>
/// How deep in a chain of automations a state change is, carried in its <c>triggered_by</c> as <c>automation:&lt;id&gt;:&lt;depth&gt;</c>:
/// a change made by a user is depth 0, one made by an automation reacting to it depth 1, and so on.
/// </summary>
public static class AutomationChain
{
    public static string TriggeredBy(Guid automationId, int depth) => TriggeredByFormats.Automation(automationId, depth);

    public static int DepthOf(string source, string? triggeredBy)
    {
        if (source != TransitionSources.Automation)
            return 0;
        if (triggeredBy is not null && triggeredBy.StartsWith(TriggeredByFormats.AutomationPrefix, StringComparison.Ordinal) && triggeredBy.Split(':') is [_, var id, var d] &&
            Guid.TryParse(id, out _) && int.TryParse(d, System.Globalization.CultureInfo.InvariantCulture, out var depth) && depth > 0)
            return depth;
        // Made by some other automation (a workflow, an API client that says so): at least one deep.
        return 1;
    }
}

using System.Globalization;

namespace GrowthOps.Leads.Domain;

/// <summary>What Leads writes in <c>triggered_by</c> (of a history entry, <c>LeadStateChanged</c>, and the commands automations send).</summary>
public static class TriggeredByFormats
{
    /// <summary>A move made by the lifecycle saga (dormancy, reactivation).</summary>
    public const string LeadLifecycle = "lead-lifecycle";

    /// <summary>The prefix of <see cref="AutomationChain"/>'s <c>automation:&lt;id&gt;:&lt;depth&gt;</c>.</summary>
    public const string AutomationPrefix = "automation:";

    /// <summary>A state change made by an automation, with how deep in a chain of automations it is.</summary>
    public static string Automation(Guid automationId, int depth) => string.Create(CultureInfo.InvariantCulture, $"{AutomationPrefix}{automationId}:{depth}");

    /// <summary>A workflow started or a sequence enrolled by a lead automation.</summary>
    public static string LeadAutomation(Guid automationId) => $"lead-automation:{automationId}";
}

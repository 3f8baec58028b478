using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Leads.Domain;

/// <summary>Lead state automations (section <c>Leads:Automations</c>).</summary>
public sealed class AutomationOptions
{
    public const string Section = "Leads:Automations";

    /// <summary>
    /// State changes made by automations carry their chain depth; a change deeper than this runs no further automations,
    /// which stops two automations that move a lead back and forth.
    /// </summary>
    [Range(0, 20)]
    public int MaxChainDepth { get; set; } = 3;

    /// <summary>Retries of a webhook after a transient failure (5xx, 408, 429, timeout, connection error).</summary>
    [Range(0, 10)]
    public int WebhookRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially (with jitter).</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Per attempt.</summary>
    public TimeSpan WebhookAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// For all attempts together. Webhooks run inside the message's transaction (their outcome is recorded with the
    /// execution), so this also bounds how long a slow receiver keeps that transaction open.
    /// </summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

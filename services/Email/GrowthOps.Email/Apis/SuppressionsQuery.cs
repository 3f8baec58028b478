using System.ComponentModel;
using GrowthOps.Email.Data;

namespace GrowthOps.Email.Apis;

/// <summary>The filters of the suppression list and its CSV export.</summary>
public sealed record SuppressionsQuery(
    [property: Description("hard_bounce, spam_complaint, unsubscribe or manual.")] string? Reason = null,
    [property: Description("The address contains this, ignoring case (up to 254 characters).")] string? Q = null)
{
    public Dictionary<string, string[]> Errors()
    {
        var errors = new Dictionary<string, string[]>();
        if (Reason is { } reason && !SuppressionListStore.Reasons.Contains(reason))
            errors["reason"] = [$"one of {string.Join(", ", SuppressionListStore.Reasons)}"];
        if (Q is { Length: > 254 })
            errors["q"] = ["is longer than 254 characters"];
        return errors;
    }

    public string? Search => Q?.Trim() is { Length: > 0 } q ? q : null;
}

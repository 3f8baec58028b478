using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// One test on a contact field; <see cref="Value"/> is absent for <c>exists</c>/<c>not_exists</c>. As requested and as stored:
/// the attributes are the limits a request is held to.
/// </summary>
public sealed record AutomationCondition(
    [property: MaxLength(AutomationConditions.MaxField)] string Field,
    [property: MaxLength(MaxKeyword)] string Operator,
    [property: JsonLimits(MaxItems = MaxConditionValues, MaxStringLength = MaxConditionValueLength, MaxDepth = 1, MaxBytes = MaxConditionValueBytes)]
    JsonElement? Value);

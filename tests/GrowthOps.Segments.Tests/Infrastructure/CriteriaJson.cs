using System.Text.Json;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>Parses a request body <c>{"criteria": …, "criteria_logic": …}</c> as the API will.</summary>
public static class CriteriaJson
{
    public const int RetentionDays = 365;

    public static CriteriaParseResult Parse(string body, int retentionDays = RetentionDays)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var logic = root.TryGetProperty("criteria_logic", out var l) ? l.Clone() : (JsonElement?)null;
        return CriteriaParser.Parse(root.GetProperty("criteria").Clone(), logic, retentionDays);
    }

    public static GrowthOps.Conditions.Criteria Valid(string body)
    {
        var result = Parse(body);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Criteria!;
    }

    public static IReadOnlyList<string> Errors(string body) => Parse(body).Errors.Select(e => e.ToString()).ToList();
}

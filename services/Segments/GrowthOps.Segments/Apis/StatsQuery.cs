using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments.Apis;

/// <summary>The window of growth and churn: the last <c>days</c> UTC days, today included.</summary>
public sealed record StatsQuery(
    [property: Description("1–365; 30 when absent."), Range(1, StatsApi.MaxDays)] int? Days = null);

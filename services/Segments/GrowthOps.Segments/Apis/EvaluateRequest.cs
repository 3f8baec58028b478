using System.Text.Json;

namespace GrowthOps.Segments.Apis;

/// <summary>A dry run: <c>contact_id</c> against a saved segment (<c>segment_id</c>) or against <c>criteria</c> given here.</summary>
public sealed record EvaluateRequest(Guid? ContactId = null, Guid? SegmentId = null, JsonElement? Criteria = null, JsonElement? CriteriaLogic = null);

namespace GrowthOps.Conditions;

/// <summary>
/// Has (or, with <see cref="HasDone"/> false, has not) done activity <see cref="Type"/> between <see cref="AtLeast"/> and
/// <see cref="AtMost"/> times, counting only activities whose metadata satisfies <see cref="Where"/> and that occurred in
/// the last <see cref="WindowDays"/> days. A null window counts the contact's whole history (from its activity totals);
/// a metadata condition without <c>within_days</c> counts the activities of the retention window, which the parser makes
/// explicit here so both back ends count the same rows however far the retention sweep has got.
/// </summary>
public sealed record ActivityCondition(string Path, string Type, bool HasDone, Criterion? Where, long AtLeast, long? AtMost, int? WindowDays)
    : Criterion(Path);

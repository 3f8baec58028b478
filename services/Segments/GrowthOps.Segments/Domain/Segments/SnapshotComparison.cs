using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// Who joined (in <see cref="To"/>, not in <see cref="From"/>) and who left (in <see cref="From"/>, not in <see cref="To"/>):
/// the counts and the first page of each, whose <c>next_cursor</c> pages on at <c>compare/joined</c> and <c>compare/left</c>.
/// </summary>
public sealed record SnapshotComparison(Guid From, Guid To, int JoinedCount, int LeftCount, Page<SnapshotMember> Joined, Page<SnapshotMember> Left);

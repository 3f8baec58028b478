namespace GrowthOps.Segments.Domain.ReadModel;

public enum ContactChangeCause
{
    /// <summary>A newer snapshot of the contact (created, updated, tagged, moved between states).</summary>
    Snapshot,

    /// <summary>A new activity (totals, retained activities, last interaction).</summary>
    Activity,

    /// <summary>Deleted in Leads: a tombstone now.</summary>
    Deleted,

    /// <summary>A newer snapshot from a rebuild page.</summary>
    Rebuilt,

    /// <summary>Missing from every page of a completed rebuild: deleted in Leads while its event was lost.</summary>
    MissingFromRebuild,
}

namespace GrowthOps.Leads;

/// <summary>Fixed defaults and limits of the Leads service, each named once (the configurable ones are in <see cref="LeadsOptions"/>).</summary>
public static class LeadsDefaults
{
    /// <summary>
    /// How long without activity makes a lead dormant, for a tenant that has not set its own. The column default of
    /// <c>leads.tenants.dormancy_period</c> (<c>Data/Migrations/0001_directory.sql</c>) is the same 30 days; an applied migration is
    /// not edited, so change both together.
    /// </summary>
    public static readonly TimeSpan DormancyPeriod = TimeSpan.FromDays(30);

    /// <summary>Largest body of <c>POST /api/leads/activities/batch</c> (importers send up to <see cref="LeadsOptions.MaxActivityBatch"/> activities).</summary>
    public const long BatchBodyLimit = 16 * 1024 * 1024;

    /// <summary>
    /// The earliest <c>occurred_at</c> of an activity: before it a date is a client's mistake (an unset <c>0001-01-01</c>, seconds
    /// read as milliseconds), and it would move <c>last_interaction_at</c> and the dormancy clock to nonsense.
    /// </summary>
    public static readonly DateTimeOffset EarliestActivity = DateTimeOffset.UnixEpoch;

    /// <summary>How far in the future an activity's <c>occurred_at</c> may be: clock skew between the sender and here, not scheduling.</summary>
    public static readonly TimeSpan ActivityClockSkew = TimeSpan.FromDays(1);

    /// <summary>Most contacts in one bulk transition.</summary>
    public const int MaxBulkTransition = 1000;
}

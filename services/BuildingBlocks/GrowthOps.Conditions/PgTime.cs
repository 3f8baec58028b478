namespace GrowthOps.Conditions;

/// <summary>
/// Instants as PostgreSQL holds them. timestamptz has microseconds and Npgsql drops the 100 ns ticks below them by
/// integer division from 2000-01-01, i.e. towards that epoch (an instant before 2000 moves later). The in-memory back end
/// compares instants after the same step, so a value a few ticks either side of a boundary is on the same side in both.
/// </summary>
public static class PgTime
{
    static readonly long EpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(EpochTicks + (value.UtcTicks - EpochTicks) / 10 * 10, TimeSpan.Zero);

    public static DateTimeOffset? Truncate(DateTimeOffset? value) => value is { } v ? Truncate(v) : null;
}

using GrowthOps.Cortex.Domain.Runs;

namespace GrowthOps.Cortex.Tests.Sequences;

/// <summary>
/// Where a due time lands: the next opening of the business hours in the lead's zone, across weekends and DST changes (New York
/// springs forward on 14 March 2027, Berlin falls back on 25 October 2026), and a send time that a DST gap skips.
/// </summary>
public sealed class Scheduling_sends
{
    static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    static readonly HashSet<DayOfWeek> Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    static readonly TimeOnly Nine = new(9, 0), Five = new(17, 0);

    static DateTimeOffset Utc(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void Friday_evening_in_New_York_rolls_to_Monday_nine_after_the_clocks_spring_forward()
    {
        // Friday 12 March 2027, 18:00 EST (UTC-5).
        var due = Delays.IntoWindow(Utc(2027, 3, 12, 23), Weekdays, Nine, Five, NewYork);
        // Monday 15 March, 09:00 EDT (UTC-4): 13:00 UTC, not the 14:00 that the winter offset would give.
        Assert.Equal(Utc(2027, 3, 15, 13), due);
    }

    [Fact]
    public void Saturday_in_Berlin_rolls_to_Monday_nine_after_the_clocks_fall_back()
    {
        // Saturday 24 October 2026, 12:00 CEST (UTC+2).
        var due = Delays.IntoWindow(Utc(2026, 10, 24, 10), Weekdays, Nine, Five, Berlin);
        // Monday 26 October, 09:00 CET (UTC+1): 08:00 UTC.
        Assert.Equal(Utc(2026, 10, 26, 8), due);
    }

    [Fact]
    public void The_same_instant_is_inside_the_hours_in_one_zone_and_outside_in_the_other()
    {
        // Tuesday 1 December 2026, 15:00 UTC: 16:00 in Berlin (open), 10:00 in New York (open); 17:30 UTC: Berlin closed, New York open.
        Assert.Equal(Utc(2026, 12, 1, 15), Delays.IntoWindow(Utc(2026, 12, 1, 15), Weekdays, Nine, Five, Berlin));
        Assert.Equal(Utc(2026, 12, 1, 17, 30), Delays.IntoWindow(Utc(2026, 12, 1, 17, 30), Weekdays, Nine, Five, NewYork));
        Assert.Equal(Utc(2026, 12, 2, 8), Delays.IntoWindow(Utc(2026, 12, 1, 17, 30), Weekdays, Nine, Five, Berlin));
    }

    [Fact]
    public void Before_opening_on_a_workday_waits_for_nine_that_day()
    {
        // Wednesday 2 December 2026, 06:10 in New York.
        Assert.Equal(Utc(2026, 12, 2, 14), Delays.IntoWindow(Utc(2026, 12, 2, 11, 10), Weekdays, Nine, Five, NewYork));
    }

    [Fact]
    public void A_send_time_the_spring_gap_skips_moves_forward_by_the_gap()
    {
        // 02:30 does not exist in New York on 14 March 2027: it becomes 03:00 EDT (07:00 UTC).
        Assert.Equal(Utc(2027, 3, 14, 7), Delays.NextLocal(Utc(2027, 3, 14, 5), new TimeOnly(2, 30), NewYork));
        // The next day it exists again: 02:30 EDT is 06:30 UTC.
        Assert.Equal(Utc(2027, 3, 15, 6, 30), Delays.NextLocal(Utc(2027, 3, 14, 8), new TimeOnly(2, 30), NewYork));
    }
}

using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrowthOps.Segments.Tests.Domain.Criteria;

public sealed class Resolving_relative_dates
{
    static readonly DateTimeOffset Now = new DateTimeOffset(2025, 6, 15, 12, 34, 56, TimeSpan.Zero).AddTicks(7_890_123);

    /// <summary>Now at PostgreSQL's precision (the three trailing ticks dropped).</summary>
    static readonly DateTimeOffset Micro = Now.AddTicks(-3);

    public static TheoryData<string, DateTimeOffset> Dates => new()
    {
        { "now", Micro },
        { "today", new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero) },
        { " Yesterday ", new DateTimeOffset(2025, 6, 14, 0, 0, 0, TimeSpan.Zero) },
        { "tomorrow", new DateTimeOffset(2025, 6, 16, 0, 0, 0, TimeSpan.Zero) },
        { "7 days ago", Micro.AddDays(-7) },
        { "1 day ago", Micro.AddDays(-1) },
        { "30 days from now", Micro.AddDays(30) },
        { "2 hours ago", Micro.AddHours(-2) },
        { "15 minutes from now", Micro.AddMinutes(15) },
        { "2 weeks ago", Micro.AddDays(-14) },
        { "1 month ago", Micro.AddMonths(-1) },
        { "1 year from now", Micro.AddYears(1) },
        { "2024-05-01", new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero) },
        { "2024-05-01T10:00:00+10:00", new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero) },
        { "2024-05-01t10:00:00z", new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero) },
        { "2024-05-01 10:00", new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero) },
        // Npgsql drops sub-microsecond ticks towards 2000-01-01, so before it they round up, as PostgreSQL will store them.
        { "1999-12-31T23:59:59.9999995Z", new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero) },
        { "1999-12-31T23:59:59.9999985Z", new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990) },
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void Resolves_against_the_moment_of_evaluation_at_microseconds(string text, DateTimeOffset expected) =>
        Assert.Equal(expected, DateValue.TryParse(text)!.Resolve(Now));

    [Theory]
    [InlineData("7 dayz ago")]
    [InlineData("seven days ago")]
    [InlineData("-7 days ago")]
    [InlineData("100001 days ago")]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30")]
    [InlineData("May 1, 2024")]
    [InlineData("")]
    public void Refuses_what_is_not_a_date(string text) => Assert.Null(DateValue.TryParse(text));

    [Fact]
    public void Membership_moves_with_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Now);
        var compiler = new CriteriaCompiler(clock, Options.Create(new SegmentsOptions()));
        using var body = JsonDocument.Parse("""[{"field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago"}]""");
        var criteria = compiler.Parse(body.RootElement).Criteria!;
        var contact = new ContactFacts { Id = Guid.NewGuid(), CreatedAt = Now.AddDays(-100), UpdatedAt = Now, LastInteractionAt = Now.AddDays(-6) };

        Assert.True(compiler.Matches(criteria, contact));
        var before = compiler.ToSql(criteria).Parameters.Get<DateTimeOffset>("cr0");

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.False(compiler.Matches(criteria, contact));
        Assert.Equal(before.AddDays(1).AddSeconds(1), compiler.ToSql(criteria).Parameters.Get<DateTimeOffset>("cr0"));
    }
}

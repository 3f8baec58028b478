using System.Text.Json;

namespace GrowthOps.Segments.Tests.Data;

public sealed class Reading_the_read_model(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    static ContactFacts Contact() => new()
    {
        Id = Guid.NewGuid(), Email = "alice@example.com", LeadState = "qualified", Tags = ["vip"], AiScore = 85, CreatedAt = Now.AddDays(-10),
        UpdatedAt = Now.AddDays(-1), LastInteractionAt = Now.AddHours(-3).AddTicks(7),
        Attributes = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"plan": "pro", "seats": 12.50}""")!,
        ActivityTotals = new Dictionary<string, ActivityTotals> { ["checkout.completed"] = new(4, Now.AddDays(-700), Now.AddDays(-2)) },
        Activities =
        [
            new(Guid.NewGuid(), "checkout.completed", Now.AddDays(-2), JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"product": "P2P"}""")!),
            new(Guid.NewGuid(), "checkout.completed", Now.AddDays(-400), new Dictionary<string, JsonElement>()),
        ],
    };

    [Fact]
    public async Task Loads_a_contact_with_its_totals_and_the_activities_of_the_retention_window()
    {
        var tenant = Guid.NewGuid();
        var contact = Contact();
        await db.InsertAsync(tenant, [contact]);

        var loaded = await db.InTenantAsync(tenant, Now, (store, _) => store.LoadAsync(contact.Id, default));

        Assert.NotNull(loaded);
        Assert.Equal(PgTime.Truncate(contact.LastInteractionAt), loaded.LastInteractionAt);
        Assert.Equal(["vip"], loaded.Tags);
        Assert.Equal("12.50", loaded.Attributes["seats"].GetRawText());
        Assert.Equal(4, loaded.ActivityTotals["checkout.completed"].Count);
        Assert.Equal([contact.Activities[0].Id], loaded.Activities.Select(a => a.Id));
    }

    [Fact]
    public async Task Keeps_tenants_apart()
    {
        var (tenant, other) = (Guid.NewGuid(), Guid.NewGuid());
        var contact = Contact();
        await db.InsertAsync(tenant, [contact]);
        var everyone = CriteriaJson.Valid("""{"criteria": []}""");

        Assert.Null(await db.InTenantAsync(other, Now, (store, _) => store.LoadAsync(contact.Id, default)));
        Assert.Empty(await db.InTenantAsync(other, Now, (store, _) => store.MatchingIdsAsync(CriteriaSql.Compile(everyone, Now), default)));
        Assert.Equal([contact.Id], await db.InTenantAsync(tenant, Now, (store, _) => store.MatchingIdsAsync(CriteriaSql.Compile(everyone, Now), default)));
        Assert.Equal(0L, await db.Database.ScalarAsync<long>(
            "select count(*) from pg_class where relnamespace = 'segments'::regnamespace and relkind = 'r' and relname in " +
            "('contacts', 'contact_activity', 'activities') and not (relrowsecurity and relforcerowsecurity)"));
    }

    [Theory]
    [InlineData("2024-05-01", "2024-05-01T00:00:00.000000")]
    [InlineData("2024-05-01T10:00:00.123456+14:00", "2024-04-30T20:00:00.123456")]
    [InlineData("2024-02-30", null)]
    [InlineData("2024-05-01T10:00:00", null)]
    [InlineData("2024-05-01T10:00:00.1234567Z", null)]
    [InlineData("2024-05-01T24:00:00Z", null)]
    [InlineData("0999-05-01", null)]
    public async Task Reads_dates_in_json_strings_alike_in_sql_and_in_dotnet(string text, string? expected)
    {
        Assert.Equal(expected, await db.Database.ScalarAsync<string?>(
            "select to_char(segments.json_timestamp($1) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')", text));
        Assert.Equal(expected, JsonDates.TryRead(text)?.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture));
    }
}

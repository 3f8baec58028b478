using GrowthOps.Leads.Consumers;

namespace GrowthOps.Leads.Tests.Scoring;

/// <summary>Every tenant's AI score is retrained daily: a recurring schedule of the durable scheduler sends the request.</summary>
public sealed class Retraining_on_a_schedule(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task The_service_declares_the_daily_schedule_and_its_message_trains_every_tenant()
    {
        var cron = await Eventually.Until(() => app.Database.ScalarAsync<string>(
                "select cron_expression from leads.scheduled_message where schedule_id = $1 and not cancelled", LeadScoreTrainingSchedule.ScheduleId),
            c => c is not null, TimeSpan.FromSeconds(20), "the recurring schedule is stored");
        Assert.Equal(new LeadsOptions().ScoringTrainingCron, cron);

        var first = app.ClientFor(Guid.NewGuid());
        var second = app.ClientFor(Guid.NewGuid());
        await first.CreateContact("one@example.com");
        await second.CreateContact("two@example.com");

        // What each occurrence sends: a request for every tenant, which fans out one training per tenant.
        await app.Events.Bus.Publish(new TrainLeadScores(null));
        foreach (var client in new[] { first, second })
            await Eventually.Until(async () => (await client.GetJson("/api/leads/scoring")).GetProperty("trained_at").ValueKind,
                kind => kind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(20), "the tenant is trained");
    }
}

using GrowthOps.Faults.Tests.Infrastructure;

namespace GrowthOps.Faults.Tests.Scenarios;

[Collection(FaultCollection.Name)]
public sealed class Running_two_Leads_replicas_on_one_database(FaultInfrastructure infrastructure, ITestOutputHelper output)
{
    [Fact]
    public async Task Relays_each_message_once_and_fires_each_dormancy_timeout_once()
    {
        await using var scenario = await FaultScenario.StartAsync(infrastructure, output, "replicas", replicas: 2);
        // Short enough that leads go dormant between the load's moves: both schedulers have timeouts to fire.
        await scenario.SetDormancyPeriodAsync(TimeSpan.FromSeconds(3));
        await scenario.CreateContactsAsync(24);
        await using var load = scenario.StartLoad();
        var started = DateTime.UtcNow;
        Assert.True(await load.WaitForAcceptedAsync(started, 400, TimeSpan.FromSeconds(90)), "the load did not reach 400 accepted requests");
        await load.StopAsync();

        var report = await scenario.SettleAsync(load, null);
        Assert.True(report.EventsSentTwice == 0, $"{report.EventsSentTwice} events were relayed more than once:\n{report}");
        Assert.True(report.TimeoutsFired > 0 && report.WentDormant > 0, $"no dormancy timeout fired:\n{report}");
        Assert.True(report.TimeoutsFiredTwice == 0, $"{report.TimeoutsFiredTwice} dormancy timeouts fired more than once:\n{report}");
        Assert.True(report.Accepted > 0 && load.Records.Select(r => r.Replica).Distinct().Count() == 2, "the load did not reach both replicas");
        // A lead the lifecycle moved to dormant meanwhile refuses the load's next pipeline move: 409 with its current state.
        FaultAssert.AcceptedWorkIsNeverLost(report, 409);
    }
}

using GrowthOps.Faults.Tests.Infrastructure;

namespace GrowthOps.Faults.Tests.Scenarios;

[Collection(FaultCollection.Name)]
public sealed class Stopping_PostgreSQL_under_load(FaultInfrastructure infrastructure, ITestOutputHelper output)
{
    [Fact]
    public async Task Loses_no_accepted_request_and_answers_503_problems_while_it_is_down()
    {
        await using var scenario = await FaultScenario.StartAsync(infrastructure, output, "postgres");
        await scenario.CreateContactsAsync(24);
        await using var load = scenario.StartLoad();
        Assert.True(await load.WaitForAcceptedAsync(DateTime.UtcNow, 40, TimeSpan.FromSeconds(60)), "the load never got going");

        var backlog = await scenario.BuildBacklogAsync(load);
        var began = DateTime.UtcNow;
        await infrastructure.Postgres.StopAsync();
        // The outage itself is the scenario.
        await Task.Delay(FaultScenario.Outage);
        await infrastructure.Postgres.StartAsync();
        var fault = new FaultWindow($"PostgreSQL stopped (fast shutdown) while {backlog} events of an import had reached the broker, started again", began, DateTime.UtcNow);
        var recovered = await load.WaitForAcceptedAsync(fault.Cleared, 40, TimeSpan.FromSeconds(60));
        await load.StopAsync();

        var report = await scenario.SettleAsync(load, fault);
        Assert.True(recovered, $"requests were not accepted again within 60 s of PostgreSQL's restart:\n{report}");
        Assert.True(report.DuringFault.Count(r => r.Status == 503) > 0, $"no request met the outage:\n{report}");
        FaultAssert.AcceptedWorkIsNeverLost(report);
    }
}

using GrowthOps.Faults.Tests.Infrastructure;

namespace GrowthOps.Faults.Tests.Scenarios;

[Collection(FaultCollection.Name)]
public sealed class Killing_the_Leads_process_under_load(FaultInfrastructure infrastructure, ITestOutputHelper output)
{
    [Fact]
    public async Task Loses_no_accepted_request_once_it_is_restarted()
    {
        await using var scenario = await FaultScenario.StartAsync(infrastructure, output, "kill");
        await scenario.CreateContactsAsync(24);
        await using var load = scenario.StartLoad();
        Assert.True(await load.WaitForAcceptedAsync(DateTime.UtcNow, 60, TimeSpan.FromSeconds(60)), "the load never got going");

        var backlog = await scenario.BuildBacklogAsync(load);
        var began = DateTime.UtcNow;
        await scenario.KillLeadsAsync(0);
        await scenario.RestartLeadsAsync(0);
        var fault = new FaultWindow($"kill -9 of Leads while {backlog} events of an import had reached the broker, then a restart", began, DateTime.UtcNow);
        var recovered = await load.WaitForAcceptedAsync(fault.Cleared, 40, TimeSpan.FromSeconds(60));
        await load.StopAsync();

        var report = await scenario.SettleAsync(load, fault);
        Assert.True(recovered, $"requests were not accepted again after the restart:\n{report}");
        FaultAssert.AcceptedWorkIsNeverLost(report);
    }
}

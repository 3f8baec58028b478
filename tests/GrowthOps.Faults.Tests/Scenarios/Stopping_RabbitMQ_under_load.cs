using GrowthOps.Faults.Tests.Infrastructure;

namespace GrowthOps.Faults.Tests.Scenarios;

[Collection(FaultCollection.Name)]
public sealed class Stopping_RabbitMQ_under_load(FaultInfrastructure infrastructure, ITestOutputHelper output)
{
    [Fact]
    public async Task Keeps_accepting_requests_and_delivers_their_events_once_it_is_back()
    {
        await using var scenario = await FaultScenario.StartAsync(infrastructure, output, "rabbitmq");
        await scenario.CreateContactsAsync(24);
        await using var load = scenario.StartLoad();
        Assert.True(await load.WaitForAcceptedAsync(DateTime.UtcNow, 40, TimeSpan.FromSeconds(60)), "the load never got going");

        var backlog = await scenario.BuildBacklogAsync(load);
        var began = DateTime.UtcNow;
        await infrastructure.Rabbit.StopAsync();
        // The outage itself is the scenario.
        await Task.Delay(FaultScenario.Outage);
        await infrastructure.Rabbit.StartAsync();
        var fault = new FaultWindow($"RabbitMQ stopped (rabbitmqctl stop) while {backlog} events of an import had reached the broker, started again", began, DateTime.UtcNow);
        await load.WaitForAcceptedAsync(fault.Cleared, 40, TimeSpan.FromSeconds(60));
        await load.StopAsync();

        var report = await scenario.SettleAsync(load, fault);
        // The outbox holds the messages: the API does not need the broker.
        Assert.True(report.DuringFault.Count > 0 && report.DuringFault.All(r => r.Outcome == RequestOutcome.Accepted),
            $"requests failed while RabbitMQ was down:\n{report}");
        FaultAssert.AcceptedWorkIsNeverLost(report);
    }
}

using System.Net;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Faults;

/// <summary>
/// The in-process Cortex of this fixture serves the API and watches for triggers but executes no steps and delivers no
/// scheduled messages: the walkers are Cortex processes started by the tests, killed with SIGKILL and started again.
/// </summary>
public sealed class WalkerlessCortexApp : CortexApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Cortex:Walker"] = "false",
        ["Messaging:EnableScheduler"] = "false",
    };

    /// <summary>A Cortex process on this fixture's database and virtual host, executing steps and delivering the scheduler's messages.</summary>
    public ChildProcess StartReplica(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = ServiceSettings.For(Database, VirtualHost);
        settings["Messaging:RedeliveryIntervals:0"] = "00:00:00.500";
        settings["Messaging:SchedulerPollInterval"] = "00:00:00.200";
        foreach (var (key, value) in CommonSettings)
            settings[key] = value;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        return ChildProcess.Start(CortexDll(), settings, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" });
    }

    static string CortexDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = output; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return Path.Combine(dir.FullName, "services", "Cortex", "GrowthOps.Cortex", "bin", output.Parent!.Name, output.Name, "GrowthOps.Cortex.dll");
        throw new InvalidOperationException("GrowthOps.sln not found above the test assembly.");
    }
}

public sealed class Surviving_crashes(WalkerlessCortexApp app) : IClassFixture<WalkerlessCortexApp>
{
    async Task<Guid> Publish(HttpClient client, params object[] steps)
    {
        var nodes = new List<object> { Node("t1", "trigger", new { trigger_type = "custom.event" }) };
        nodes.AddRange(steps);
        var ids = nodes.Select(n => (string)n.GetType().GetProperty("id")!.GetValue(n)!).ToList();
        var graph = new { nodes, edges = ids.Zip(ids.Skip(1)).Select(p => Edge(p.First, p.Second)).ToArray() };
        return await client.PublishWorkflow(graph, new { reentry = "always" });
    }

    static object Tag(string id, string tag) => Node(id, "action", new { action_type = "add_tag", config = new { tag } });

    Task Trigger(Guid tenant, Guid contact) =>
        app.Bus.Bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), contact, null, "crash.test", null, DateTimeOffset.UtcNow));

    [Fact]
    public async Task A_delay_fires_within_a_second_of_due_after_the_only_walker_was_killed_and_started_again()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var id = await Publish(client, Tag("a1", "before"), Node("d1", "delay", new { duration = new { amount = 20, unit = "seconds" } }), Tag("a2", "after"));
        var contact = Guid.NewGuid();
        await using (var first = app.StartReplica())
        {
            await first.WaitReadyAsync();
            await Trigger(tenant, contact);
            await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.Tag == "before", TimeSpan.FromSeconds(30));
            await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from cortex.workflow_runs where workflow_id = $1 and status = 'waiting'", id), n => n == 1, TimeSpan.FromSeconds(20),
                $"the run waits in its delay\n{first.Output}");
            await first.KillAsync();
        }

        var wakeAt = await app.Database.ScalarAsync<DateTime>("select wake_at from cortex.workflow_runs where workflow_id = $1 and contact_id = $2", id, contact);
        Assert.True(wakeAt > DateTime.UtcNow.AddSeconds(2), $"the kill came well before the delay was due ({wakeAt:O})");
        await using var second = app.StartReplica();
        await second.WaitReadyAsync();
        // The restarted process serves other runs first (as it would: traffic does not wait), so the measure is the delay's
        // precision, not the first-call compilation of a cold process on a busy machine.
        var other = Guid.NewGuid();
        await Trigger(tenant, other);
        await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.ContactId == other && m.Tag == "before", TimeSpan.FromSeconds(30));
        Assert.True(wakeAt > DateTime.UtcNow.AddSeconds(0.5), $"the restarted walker was warm before the delay was due ({wakeAt:O})");
        var after = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.ContactId == contact && m.Tag == "after", TimeSpan.FromSeconds(30));
        var arrived = DateTime.UtcNow;
        var resumed = await app.Database.ScalarAsync<DateTime>(
            "select at from cortex.workflow_run_logs l join cortex.workflow_runs r on r.id = l.run_id where r.workflow_id = $1 and r.contact_id = $2 and l.message = 'Resumed after the delay'",
            id, contact);
        var late = resumed - wakeAt;
        Assert.InRange(late.TotalSeconds, 0, 1.0);
        Assert.True(arrived - wakeAt < TimeSpan.FromSeconds(2), $"the next step's command left {(arrived - wakeAt).TotalMilliseconds:F0} ms after due");
        Assert.Equal(contact, after.ContactId);
    }

    [Fact]
    public async Task Two_walkers_one_killed_mid_flight_execute_every_step_exactly_once()
    {
        const int Runs = 300;
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var id = await Publish(client, Tag("a1", "one"), Node("d1", "delay", new { duration = new { amount = 3, unit = "seconds" } }), Tag("a2", "two"),
            Tag("a3", "three"));
        await using var survivor = app.StartReplica();
        await using (var victim = app.StartReplica())
        {
            await Task.WhenAll(survivor.WaitReadyAsync(), victim.WaitReadyAsync());
            for (var i = 0; i < Runs; i++)
                await Trigger(tenant, Guid.NewGuid());
            await Eventually.Until(() => app.Database.ScalarAsync<long>(
                    "select count(*) from cortex.workflow_run_logs l join cortex.workflow_runs r on r.id = l.run_id where r.workflow_id = $1 and l.node_id = 'a1'", id),
                n => n >= 20, TimeSpan.FromSeconds(60), "the walkers are well under way");
            await victim.KillAsync();
        }

        var unfinished = await app.Database.ScalarAsync<long>("select count(*) from cortex.workflow_runs where workflow_id = $1 and status <> 'completed'", id);
        Assert.True(unfinished > 0, "the kill came before the end");
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from cortex.workflow_runs where workflow_id = $1 and status = 'completed'", id), n => n == Runs, TimeSpan.FromSeconds(90),
            $"the survivor finishes every run\n{survivor.Output}");

        // Every action of every run executed once: one log line each, one distinct command each, none missing.
        var executions = await app.Database.ScalarAsync<long>("""
            select count(*) from (select l.run_id, l.node_id, count(*) as n from cortex.workflow_run_logs l join cortex.workflow_runs r on r.id = l.run_id
                                   where r.workflow_id = $1 and l.node_id in ('a1', 'a2', 'a3') and l.message like 'Executing Action%'
                                   group by 1, 2 having count(*) = 1) once
            """, id);
        Assert.Equal(Runs * 3, executions);
        var commands = await Eventually.Until(() => Task.FromResult(app.Bus.Received<AddTag>().Where(m => m.TenantId == tenant).Select(m => m.CommandId)
            .Distinct().Count()), n => n == Runs * 3, TimeSpan.FromSeconds(30), "every step's command reached the bus");
        Assert.Equal(Runs * 3, commands);
        foreach (var tag in new[] { "one", "two", "three" })
            Assert.Equal(Runs, app.Bus.Received<AddTag>().Where(m => m.TenantId == tenant && m.Tag == tag).Select(m => m.ContactId).Distinct().Count());
    }
}

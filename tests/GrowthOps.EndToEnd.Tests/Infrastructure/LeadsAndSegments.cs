using GrowthOps.Contracts.Segments;
using GrowthOps.Leads;
using GrowthOps.Segments;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads and Segments in one process, each on its own PostgreSQL database, both on one RabbitMQ virtual host: what Leads
/// publishes reaches Segments' consumers as in a deployment. A test bus on the same host collects what Segments publishes.
/// Segments starts first so that its queue is bound to Leads' exchanges before Leads publishes anything. One per test class.
/// </summary>
public sealed class LeadsAndSegments : IAsyncLifetime
{
    TestDatabase leadsDatabase = null!;
    TestDatabase segmentsDatabase = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<SegmentsOptions> Segments { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync("endtoend");
        leadsDatabase = await TestDatabase.CreateAsync("leads");
        segmentsDatabase = await TestDatabase.CreateAsync("segments");
        Bus = await TestBus.StartAsync(VirtualHost, typeof(SegmentMembershipChanged), typeof(SegmentMembershipBatchChanged));
        Segments = new InProcessService<SegmentsOptions>(segmentsDatabase, VirtualHost);
        await Segments.ReadyAsync();
        Leads = new InProcessService<LeadsOptions>(leadsDatabase, VirtualHost, new Dictionary<string, string?>
        {
            ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
        });
        await Leads.ReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Leads.DisposeAsync();
        await Segments.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await leadsDatabase.DisposeAsync();
        await segmentsDatabase.DisposeAsync();
    }
}

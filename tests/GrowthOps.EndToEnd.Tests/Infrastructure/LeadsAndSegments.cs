using GrowthOps.Contracts.Segments;
using GrowthOps.Leads;
using GrowthOps.Segments;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads and Segments: what Leads publishes reaches Segments' consumers as in a deployment, and the test bus collects what
/// Segments publishes. Segments starts first so that its queue is bound to Leads' exchanges before Leads publishes anything.
/// </summary>
public sealed class LeadsAndSegments : ServicesFixture
{
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<SegmentsOptions> Segments { get; private set; } = null!;

    protected override Type[] Collect => [typeof(SegmentMembershipChanged), typeof(SegmentMembershipBatchChanged)];

    protected override async Task StartServicesAsync()
    {
        Segments = await StartAsync<SegmentsOptions>("segments");
        Leads = await StartAsync<LeadsOptions>("leads", LeadsSettings);
    }
}

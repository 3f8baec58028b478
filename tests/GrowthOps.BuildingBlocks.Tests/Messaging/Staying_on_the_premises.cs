using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

/// <summary>A self-hosted deployment sends nothing home: MassTransit 8.5 reports usage to masstransit.io unless told not to.</summary>
public sealed class Staying_on_the_premises() : TestHostTests("premises")
{
    [Fact]
    public void The_bus_reports_no_usage_telemetry_to_MassTransit()
    {
        var options = App.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
        Assert.False(options.Enabled, "MassTransit's usage telemetry is on: every service would try to reach usage-tracking.masstransit.io");
    }
}

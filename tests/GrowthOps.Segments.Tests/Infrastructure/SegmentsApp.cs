using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Segments;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;
using GrowthOps.Segments.Domain.Segments;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// The Segments service in process on its own PostgreSQL database and RabbitMQ virtual host, with a test bus that publishes
/// Leads' messages into it and collects what it sends Leads, and <see cref="Changes"/> recording what its
/// <see cref="IContactChangeObserver"/> is told. One per test class. Its clients hold every call to the service's OpenAPI
/// document (<see cref="ServiceApp{TProgram}"/>). Rebuilds tombstone with no grace period, so tests need no clock.
/// </summary>
public class SegmentsApp() : ServiceApp<Program>("segments")
{
    public RecordedContactChanges Changes { get; } = new();

    protected override Type[] Collect => [typeof(RepublishContactSnapshots), typeof(SegmentMembershipChanged), typeof(SegmentMembershipBatchChanged),
        typeof(SegmentCommandFailed)];

    protected override IDictionary<string, string?> CommonSettings => new Dictionary<string, string?> { ["Segments:RebuildDeletionGrace"] = "00:00:00" };

    /// <summary>The recording observer; a variant (see <see cref="ClockedSegmentsApp"/>) adds its own changes after calling this.</summary>
    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Changes);
            services.AddScoped<IContactChangeObserver>(sp => new RecordingContactChangeObserver(sp.GetRequiredService<UnitOfWork>(), Changes,
                ActivatorUtilities.CreateInstance<SegmentMembershipObserver>(sp)));
        });
}

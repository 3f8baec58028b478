using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// The Segments service on <see cref="Clock"/>, a fake clock that starts at the real time and moves only when a test advances
/// it, so what time alone changes (sweeps, scheduled refreshes) happens when the test says. The scheduler looks for due work
/// every 100 ms of real time. Tokens are still checked against the real time (they are minted with it).
/// </summary>
public sealed class ClockedSegmentsApp : SegmentsApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Segments:TimeSweepInterval", "00:00:00.100");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.PostConfigureAll<JwtBearerOptions>(o => o.TimeProvider = TimeProvider.System);
        });
    }
}

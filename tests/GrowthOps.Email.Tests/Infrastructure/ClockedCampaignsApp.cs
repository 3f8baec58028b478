using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>
/// <see cref="CampaignsApp"/> on <see cref="Clock"/>, a fake clock that moves only when a test advances it, so a schedule months
/// ahead comes due when the test says. Tokens are still checked against the real time (they are minted with it).
/// </summary>
public sealed class ClockedCampaignsApp : CampaignsApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.PostConfigureAll<JwtBearerOptions>(o => o.TimeProvider = TimeProvider.System);
        });
}

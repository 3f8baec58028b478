using System.Net.Http.Json;
using System.Text;
using GrowthOps.Testing.Fuzzing;
using GrowthOps.Testing.OpenApi;

namespace GrowthOps.BuildingBlocks.Tests.Fuzzing;

/// <summary>One fuzz run against the <see cref="DefectiveService"/>, shared by the tests that read its report.</summary>
public sealed class DefectiveServiceRun : IAsyncLifetime
{
    public DefectiveService Service { get; private set; } = null!;

    public OpenApiContract Contract { get; private set; } = null!;

    public HostileInputReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await DefectiveService.StartAsync();
        using var client = new HttpClient { BaseAddress = Service.Address };
        Contract = await OpenApiContract.LoadAsync(client);
        Report = await HostileInputs.RunAsync(new HostileInputTarget
        {
            BaseAddress = Service.Address,
            Contract = Contract,
            Seed = async tenant =>
            {
                (await tenant.PostAsJsonAsync("/items", new { name = "first" })).EnsureSuccessStatusCode();
                return new Dictionary<string, string>();
            },
            Fingerprint = Service.Fingerprint,
            Examples = new Dictionary<string, string> { ["POST /items"] = """{"name":"item {{n}}"}""" },
            ValidRequests =
            [
                (n, _) => new HttpRequestMessage(HttpMethod.Post, "/items") { Content = new StringContent($$"""{"name":"valid {{n}}"}""", Encoding.UTF8, "application/json") },
                (_, _) => new HttpRequestMessage(HttpMethod.Get, "/items"),
            ],
        });
    }

    public Task DisposeAsync() => Service.DisposeAsync().AsTask();
}

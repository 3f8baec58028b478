using System.Text.Json;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Routing;

namespace GrowthOps.Leads.Tests.Apis;

public sealed class Describing_the_api(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task Documents_every_mapped_endpoint()
    {
        var contract = await app.Contract;
        await File.WriteAllTextAsync("/tmp/leads-openapi.json", JsonSerializer.Serialize(contract.Document, new JsonSerializerOptions { WriteIndented = true }));

        Assert.Empty(contract.Undocumented(app.Services.GetRequiredService<EndpointDataSource>()));
    }
}

namespace GrowthOps.Testing;

/// <summary>
/// The real gateway (built next to the test assembly, in its configuration) as its own process in front of one service
/// under test: the test's signing key, the service as the cluster's only destination, rate limits out of the way.
/// A test project that uses it references the gateway project with <c>ReferenceOutputAssembly="false"</c> so it is built.
/// </summary>
public static class TestGateway
{
    public static async Task<ChildProcess> StartAsync(string cluster, Uri service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var gateway = ChildProcess.Start(Dll(), new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = TestEnvironment.SigningKey,
            [$"ReverseProxy:Clusters:{cluster}:Destinations:d1:Address"] = service.ToString(),
            // Tests measure behaviour, not quotas.
            ["RateLimiting:PerTenant:PermitsPerPeriod"] = "1000000",
            ["RateLimiting:PerTenant:Burst"] = "1000000",
            ["RateLimiting:PerIp:PermitsPerPeriod"] = "1000000",
            ["RateLimiting:PerIp:Burst"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
        }, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        try
        {
            await gateway.WaitReadyAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    static string Dll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = output; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return Path.Combine(dir.FullName, "gateway", "GrowthOps.Gateway", "bin", output.Parent!.Name, output.Name, "GrowthOps.Gateway.dll");
        throw new InvalidOperationException("GrowthOps.sln not found above the test assembly.");
    }
}

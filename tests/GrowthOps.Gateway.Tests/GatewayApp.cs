using System.Net.Http.Headers;
using GrowthOps.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Gateway.Tests;

/// <summary>
/// The gateway on a real Kestrel port (so request body limits and client addresses behave as in production) in front of
/// one <see cref="FakeService"/> per cluster. Overrides are configuration keys applied last.
/// </summary>
public class GatewayApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly string[] ServiceNames = ["leads", "revenue", "segments", "cortex", "email", "adexecutor", "attribution"];

    readonly IReadOnlyDictionary<string, string?> overrides;
    readonly string environment;
    bool disposed;

    public GatewayApp() : this(new Dictionary<string, string?>())
    {
    }

    protected GatewayApp(IReadOnlyDictionary<string, string?> overrides, string environment = "Testing")
    {
        this.overrides = overrides;
        this.environment = environment;
        UseKestrel(0);
    }

    /// <summary>A gateway of its own, for a test that changes configuration or spends state such as rate-limit tokens.</summary>
    public static GatewayApp With(IReadOnlyDictionary<string, string?> overrides) => new(overrides);

    /// <summary>A gateway as <c>./growthops up</c> runs it on a developer's machine (appsettings.Development.json applies).</summary>
    public static GatewayApp InDevelopment() => new(new Dictionary<string, string?>(), "Development");

    public IReadOnlyDictionary<string, FakeService> Backends { get; } = ServiceNames.ToDictionary(name => name, name => new FakeService(name));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = Tokens.DevSigningKey,
            ["Auth:Issuer"] = Tokens.Issuer,
            ["Auth:Audience"] = Tokens.Audience,
        };
        foreach (var (name, service) in Backends)
            settings[$"ReverseProxy:Clusters:{name}:Destinations:d1:Address"] = service.Url;
        foreach (var (key, value) in overrides)
            settings[key] = value;

        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
    }

    /// <summary>
    /// Sends a request tagged with <paramref name="probe"/>, with a bearer token when one is given; the path (and query) exactly
    /// as written and header values as UTF-8, as a careless client would (<see cref="CarelessClient"/>).
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string probe, string? token = null, HttpContent? content = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, CarelessClient.Target(ServerAddress, path)) { Content = content };
        request.Headers.Add(FakeService.ProbeHeader, probe);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        return Client.SendAsync(request);
    }

    HttpClient Client => field ??= CarelessClient.Create(ServerAddress);

    /// <summary>The port Kestrel picked; the factory's clients would otherwise aim at port 80.</summary>
    Uri ServerAddress
    {
        get
        {
            StartServer();
            return CarelessClient.ServerAddressOf(Services);
        }
    }

    public Task InitializeAsync()
    {
        StartServer();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (disposed)
            return;
        disposed = true;
        foreach (var service in Backends.Values)
            service.Dispose();
    }
}

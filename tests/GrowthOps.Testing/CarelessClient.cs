using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Testing;

/// <summary>
/// Sends what a careless or hostile client sends, which HttpClient otherwise tidies away: a request target exactly as written
/// (no dot segments resolved, no escapes normalised) and header values outside ASCII (as UTF-8, where HttpClient refuses them).
/// For a server on a real port: an in-process test server never sees the raw target.
/// </summary>
public static class CarelessClient
{
    /// <summary>Header values are sent as <paramref name="headerEncoding"/> (UTF-8 unless given: Latin-1 sends any byte).</summary>
    public static HttpClient Create(Uri server, Encoding? headerEncoding = null) =>
        new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => headerEncoding ?? Encoding.UTF8 }) { BaseAddress = server };

    /// <summary>The address a host on Kestrel listens on (the port it picked), from its services.</summary>
    public static Uri ServerAddressOf(IServiceProvider services) =>
        new(services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary><paramref name="target"/> (path and query) on <paramref name="server"/>, to be sent as written.</summary>
    public static Uri Target(Uri server, string target)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Uri(server.GetLeftPart(UriPartial.Authority) + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
    }
}

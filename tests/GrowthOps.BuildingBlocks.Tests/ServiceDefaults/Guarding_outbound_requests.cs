using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GrowthOps.ServiceDefaults.Outbound;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

/// <summary>The outbound client against a WireMock server on this machine (the only kind of server a test can run here).</summary>
public sealed class Guarding_outbound_requests : IDisposable
{
    const string Name = "tenant-urls";
    readonly WireMockServer _server = WireMockServer.Start();
    readonly List<IHost> _hosts = [];

    public Guarding_outbound_requests()
    {
        _server.Given(Request.Create().WithPath("/ok")).RespondWith(Response.Create().WithStatusCode(200).WithBody("fine"));
        _server.Given(Request.Create().WithPath("/to-metadata"))
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", "http://169.254.169.254/latest/meta-data/iam/"));
        _server.Given(Request.Create().WithPath("/to-decimal-loopback"))
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"http://2130706433:{Port}/ok"));
        _server.Given(Request.Create().WithPath("/to-ok"))
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", "/ok"));
        _server.Given(Request.Create().WithPath("/loop"))
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", "/loop"));
        _server.Given(Request.Create().WithPath("/big")).RespondWith(Response.Create().WithStatusCode(200).WithBody(new string('x', 100_000)));
        _server.Given(Request.Create().WithPath("/slow")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(3)));
    }

    int Port => _server.Port;

    public void Dispose()
    {
        foreach (var host in _hosts)
            host.Dispose();
        _server.Stop();
    }

    IHost Build(string environment, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddOutboundHttpClient(Name);
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    HttpClient Client(params (string Key, string Value)[] settings) =>
        Build("Testing", settings).Services.GetRequiredService<IHttpClientFactory>().CreateClient(Name);

    HttpClient LoopbackAllowed(params (string Key, string Value)[] settings) =>
        Client([("Outbound:AllowHttp", "true"), ("Outbound:AllowLoopback", "true"), .. settings]);

    int Received(string path) => _server.LogEntries.Count(e => e.RequestMessage.Path == path);

    [Fact]
    public async Task Loopback_is_refused_unless_the_switch_allows_it_and_nothing_is_sent()
    {
        var client = Client(("Outbound:AllowHttp", "true"));
        var literal = await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetAsync($"http://127.0.0.1:{Port}/ok"));
        Assert.Contains("127.0.0.1: a loopback address", literal.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetAsync($"http://0x7f.1:{Port}/ok"));
        await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetAsync($"http://localhost:{Port}/ok"));

        // A name that passes the URL check is refused after resolution, at connect time: this machine's name resolves to one of
        // its own (loopback or private) addresses.
        var name = Dns.GetHostName();
        Assert.All(await Dns.GetHostAddressesAsync(name), a => Assert.NotNull(OutboundAddresses.WhyForbidden(a)));
        var resolved = await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetAsync($"http://{name}:{Port}/ok"));
        Assert.StartsWith($"{name} resolves to ", resolved.Message, StringComparison.Ordinal);
        Assert.Equal(0, Received("/ok"));

        var allowed = LoopbackAllowed();
        Assert.Equal("fine", await allowed.GetStringAsync($"http://127.0.0.1:{Port}/ok"));
        Assert.Equal("fine", await allowed.GetStringAsync($"http://localhost:{Port}/ok"));
        Assert.Equal(2, Received("/ok"));
    }

    [Fact]
    public async Task Http_urls_and_urls_with_credentials_are_refused_before_anything_is_sent()
    {
        var httpsOnly = Client(("Outbound:AllowLoopback", "true"));
        var refused = await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => httpsOnly.GetAsync($"http://127.0.0.1:{Port}/ok"));
        Assert.Equal("The URL must be an https URL.", refused.Message);
        await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => LoopbackAllowed().GetAsync($"http://user:secret@127.0.0.1:{Port}/ok"));
        Assert.Equal(0, Received("/ok"));
    }

    [Theory]
    [InlineData("Outbound:AllowHttp")]
    [InlineData("Outbound:AllowLoopback")]
    public async Task The_development_switches_stop_a_production_host_from_starting(string setting)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => Build("Production", (setting, "true")).StartAsync());
        Assert.Contains("cannot be set in Production", refused.Message, StringComparison.Ordinal);
        await Build("Production").StartAsync();
    }

    [Fact]
    public async Task A_redirect_to_a_forbidden_address_is_refused_and_an_allowed_one_is_followed()
    {
        var client = LoopbackAllowed();
        var metadata = await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetAsync($"http://127.0.0.1:{Port}/to-metadata"));
        Assert.Contains("redirected", metadata.Message, StringComparison.Ordinal);
        Assert.Contains("169.254.169.254: a cloud metadata address", metadata.Message, StringComparison.Ordinal);

        // Each target is read as the URL check reads it: with loopback allowed, the decimal spelling of 127.0.0.1 is followed.
        Assert.Equal("fine", await client.GetStringAsync($"http://127.0.0.1:{Port}/to-decimal-loopback"));
        Assert.Equal(1, Received("/ok"));

        // 307 keeps the method and the body.
        var moved = await client.PostAsync($"http://127.0.0.1:{Port}/to-ok", new StringContent("payload"));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var followed = _server.LogEntries.Select(e => e.RequestMessage).Last(r => r.Path == "/ok");
        Assert.Equal(("POST", "payload"), (followed.Method, followed.Body));
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_the_limit_then_the_redirect_is_the_answer()
    {
        var response = await LoopbackAllowed(("Outbound:MaxRedirects", "2")).GetAsync($"http://127.0.0.1:{Port}/loop");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(3, Received("/loop"));
    }

    [Fact]
    public async Task A_response_body_over_the_cap_is_cut_off()
    {
        var client = LoopbackAllowed(("Outbound:MaxResponseBytes", "1024"));
        await Assert.ThrowsAsync<OutboundRequestRefusedException>(() => client.GetStringAsync($"http://127.0.0.1:{Port}/big"));

        using var response = await client.GetAsync($"http://127.0.0.1:{Port}/big", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        long read = 0;
        var refused = await Assert.ThrowsAsync<OutboundRequestRefusedException>(async () =>
        {
            while (await body.ReadAsync(buffer) is var n and > 0)
                read += n;
        });
        Assert.InRange(read, 0, 1024);
        Assert.Contains("1024 bytes", refused.Message, StringComparison.Ordinal);

        Assert.Equal(100_000, (await LoopbackAllowed().GetStringAsync($"http://127.0.0.1:{Port}/big")).Length);
    }

    [Fact]
    public async Task A_server_slow_to_answer_times_out()
    {
        var client = LoopbackAllowed(("Outbound:Timeout", "00:00:00.500"));
        var clock = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync($"http://127.0.0.1:{Port}/slow"));
        Assert.IsType<TimeoutException>(timedOut.InnerException);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_body_trickling_in_times_out_too()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = TrickleAsync(listener, stop.Token);
        try
        {
            var client = LoopbackAllowed(("Outbound:Timeout", "00:00:01"));
            var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            var clock = Stopwatch.StartNew();
            var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() => response.Content.ReadAsStringAsync());
            Assert.IsType<TimeoutException>(timedOut.InnerException);
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await stop.CancelAsync();
            await server;
        }
    }

    /// <summary>A server that answers at once and then sends its (long) body one byte every 100 ms, until stopped.</summary>
    static async Task TrickleAsync(TcpListener listener, CancellationToken ct)
    {
        try
        {
            using var socket = await listener.AcceptSocketAsync(ct);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"u8.ToArray(), ct);
            while (true)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes("x"), ct);
                await Task.Delay(100, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // Stopped by the test, or the client gave up and closed the connection.
        }
    }
}

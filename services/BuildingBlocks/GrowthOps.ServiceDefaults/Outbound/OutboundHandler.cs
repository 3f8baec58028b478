using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// The primary handler of an outbound client (<see cref="OutboundExtensions.AddOutboundHttpClient"/>): it checks the URL, then
/// connects only to addresses it has checked itself after resolving the host, for every connection (so a name that resolves
/// to a public address when stored and to 127.0.0.1 when called, DNS rebinding, is refused), follows redirects itself,
/// checking each target the same way, and hands back a body that cannot be read past the size cap or the deadline. Being the
/// primary handler it sits under any resilience handler: each retry is a fully checked exchange, and a refusal
/// (<see cref="OutboundRequestRefusedException"/>) is not retried.
/// </summary>
public sealed class OutboundHandler : DelegatingHandler
{
    readonly OutboundPolicy _policy;
    readonly IOptions<OutboundOptions> _options;

    public OutboundHandler(OutboundPolicy policy, IOptions<OutboundOptions> options) : base(CreateConnections(policy))
    {
        _policy = policy;
        _options = options;
    }

    static SocketsHttpHandler CreateConnections(OutboundPolicy policy) => new()
    {
        // Followed below, where each target is checked before it is asked.
        AllowAutoRedirect = false,
        // Through a proxy the connection (and so the check) would be to the proxy, and the proxy would reach the target.
        UseProxy = false,
        // One handler serves every tenant: a cookie one receiver sets must not travel to another tenant's call.
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = (context, ct) => ConnectAsync(policy, context, ct),
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.Value;
        var host = request.RequestUri?.Host;
        Exception TimedOut() => new TaskCanceledException($"The call to {host} took longer than {options.Timeout} (Outbound:Timeout).",
            new TimeoutException());

        // Owned by the body once the response is handed back: the deadline covers reading it too.
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await FollowAsync(request, options.MaxRedirects, deadline.Token);
            var original = response.Content;
            var body = new StreamContent(new OutboundResponseStream(await original.ReadAsStreamAsync(deadline.Token), original, deadline,
                options.MaxResponseBytes, TimedOut));
            foreach (var header in original.Headers)
                body.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = body;
            return response;
        }
        catch (Exception e)
        {
            response?.Dispose();
            deadline.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw TimedOut();
            throw;
        }
    }

    async Task<HttpResponseMessage> FollowAsync(HttpRequestMessage request, int maxRedirects, CancellationToken ct)
    {
        // HTTP/3 runs over QUIC, which does not go through ConnectCallback; never let a request (or an Alt-Svc answer) upgrade to it.
        if (request.Version.Major >= 3)
            request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;

        for (var redirects = 0; ; redirects++)
        {
            var url = request.RequestUri ?? throw new InvalidOperationException("An outbound request needs a URL.");
            if (_policy.WhyRefused(url) is { } why)
                throw new OutboundRequestRefusedException(redirects == 0
                    ? $"The URL {why}."
                    : $"The response redirected to a URL that {why}.");

            var response = await SendOnceAsync(request, ct);
            if (redirects == maxRedirects || RedirectTarget(response, url) is not { } target)
                return response;

            var status = response.StatusCode;
            response.Dispose();
            // As HttpClient's own redirects: 303, and 301/302 after a POST, become a GET without a body; credentials stay behind.
            if ((status == HttpStatusCode.SeeOther && request.Method != HttpMethod.Head) ||
                (status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found && request.Method == HttpMethod.Post))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }

            request.Headers.Authorization = null;
            request.RequestUri = target;
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await base.SendAsync(request, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is OutboundRequestRefusedException refused)
        {
            // SocketsHttpHandler wraps what ConnectCallback throws; unwrapped, a resilience pipeline sees a refusal, not a transient error.
            throw new OutboundRequestRefusedException(refused.Message, e);
        }
    }

    static Uri? RedirectTarget(HttpResponseMessage response, Uri from) =>
        (response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect) && response.Headers.Location is { } location
            ? new Uri(from, location)
            : null;

    /// <summary>Resolves the host, refuses it if any of its addresses is forbidden, and connects to those checked addresses.</summary>
    static async ValueTask<Stream> ConnectAsync(OutboundPolicy policy, SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        // Any, not just the first: with one public and one private record, a later connection could pick the private one.
        foreach (var address in addresses)
            if (policy.WhyRefused(address) is { } why)
                throw new OutboundRequestRefusedException($"{host} resolves to {address}: {why}.");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

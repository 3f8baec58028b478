using System.Collections.Concurrent;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace GrowthOps.Gateway.Tests;

/// <summary>
/// A backend service behind the gateway: answers everything with 200 <c>{"served_by":"&lt;name&gt;"}</c> and records each
/// request as it builds the answer, so a request is on record before the gateway can respond to the test.
/// </summary>
public sealed class FakeService : IDisposable
{
    /// <summary>Tests tag each request with a fresh value of this header to find it again among the service's requests.</summary>
    public const string ProbeHeader = "X-Test-Probe";

    readonly WireMockServer server = WireMockServer.Start();
    readonly ConcurrentQueue<IRequestMessage> received = new();

    public FakeService(string name)
    {
        Name = name;
        server.Given(Request.Create().WithPath(_ => true).UsingAnyMethod())
            .AtPriority(100)
            .RespondWith(Response.Create()
                .WithStatusCode(200)
                .WithHeader("Content-Type", "application/json")
                .WithBody(Record(_ => $$"""{"served_by":"{{name}}"}""")));
    }

    public string Name { get; }

    public string Url => server.Url!;

    /// <summary>Answers requests to <paramref name="path"/> with a fixed response instead of the default one.</summary>
    public void Answer(string path, int status, string contentType, string body) =>
        server.Given(Request.Create().WithPath(path).UsingAnyMethod())
            .AtPriority(1)
            .RespondWith(Response.Create()
                .WithStatusCode(status)
                .WithHeader("Content-Type", contentType)
                .WithBody(Record(_ => body)));

    /// <summary>The requests this service received that carried <paramref name="probe"/>.</summary>
    public IReadOnlyList<IRequestMessage> Received(string probe) =>
        received.Where(request => Header(request, ProbeHeader) == probe).ToList();

    public static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    Func<IRequestMessage, string> Record(Func<IRequestMessage, string> body) => request =>
    {
        received.Enqueue(request);
        return body(request);
    };

    public void Dispose() => server.Stop();
}

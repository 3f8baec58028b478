using System.Globalization;
using GrowthOps.Testing.OpenApi;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// What a service's test tells <see cref="HostileInputs"/>: where to send, the service's document, how to give a tenant some
/// data, how to read a tenant's stored state, valid bodies to start mutating from, and valid requests to send alongside.
/// </summary>
public sealed class HostileInputTarget
{
    /// <summary>The service, or the gateway in front of it.</summary>
    public required Uri BaseAddress { get; init; }

    public required OpenApiContract Contract { get; init; }

    /// <summary>
    /// Gives a fresh tenant some data through the API (the client carries its token); returns named values for
    /// <c>{{name}}</c> placeholders and same-named path parameters. Ids of collections are also found by listing them.
    /// </summary>
    public required Func<HttpClient, Task<IReadOnlyDictionary<string, string>>> Seed { get; init; }

    /// <summary>
    /// The tenant's stored state (rows, outbox messages) as text: equal before and after a refused request. See
    /// <see cref="TenantFingerprint"/>.
    /// </summary>
    public required Func<Guid, Task<string>> Fingerprint { get; init; }

    /// <summary>
    /// A valid body per operation ("POST /api/leads/contacts" → JSON) that the mutations start from, with <c>{{name}}</c>
    /// placeholders for seed values and <c>{{n}}</c> for a number unique to the request. Operations without one get a body
    /// made from their schema's required members.
    /// </summary>
    public IReadOnlyDictionary<string, string> Examples { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Requests that must succeed (2xx) while the hostile ones run, built from a running number and a tenant of their own
    /// (seeded like the others); sent <see cref="ValidConcurrency"/> at a time, round-robin.
    /// </summary>
    public IReadOnlyList<Func<int, FuzzTenant, HttpRequestMessage>> ValidRequests { get; init; } = [];

    public int ValidConcurrency { get; init; } = 3;

    /// <summary>
    /// Path parameters that name another service's resources (an Email campaign's id), which no tenant owns here: another
    /// tenant's value in them needs no refusal, only an answer that shows nothing of that tenant.
    /// </summary>
    public IReadOnlySet<string> ExternalPathParameters { get; init; } = new HashSet<string>();

    /// <summary>The operations to attack (all by default).</summary>
    public Func<OpenApiContract.Operation, bool> Include { get; init; } = _ => true;

    /// <summary>The bearer token of a tenant.</summary>
    public Func<Guid, string> TokenFor { get; init; } = tenant => TestTokens.For(tenant);

    /// <summary>From <c>GROWTHOPS_FUZZ_SEED</c>, else fixed: the same seed and document give the same requests.</summary>
    public int RandomSeed { get; init; } =
        int.TryParse(Environment.GetEnvironmentVariable("GROWTHOPS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 8_0808;

    /// <summary>From <c>GROWTHOPS_FUZZ_CASE</c>: only the cases whose id contains it (to replay one).</summary>
    public string? OnlyCases { get; init; } = Environment.GetEnvironmentVariable("GROWTHOPS_FUZZ_CASE") is { Length: > 0 } only ? only : null;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Progress lines (an xUnit test's output).</summary>
    public Action<string> Log { get; init; } = _ => { };
}

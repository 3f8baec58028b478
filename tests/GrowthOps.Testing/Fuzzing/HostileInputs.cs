using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Testing.OpenApi;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// The property every service's test suite checks: thrown hostile input generated from its OpenAPI document
/// (<see cref="HostileRequestPlanner"/>), the service answers no 5xx, every error is a problem document, a refused request
/// writes nothing, no other tenant's data is touched or shown, and valid requests sent alongside still succeed.
/// <para>
/// Three tenants: the attacked one (every hostile request is sent as it, or as nobody), the other one (seeded, never sent to
/// again: its ids are used against the attacked one, its state must not change and its ids must never come back), and a
/// bystander whose valid requests run a few at a time while each hostile request is in flight. Hostile requests go one at a
/// time, so the attacked tenant's state read before and after each tells exactly which one wrote when it should not have.
/// </para>
/// </summary>
public static partial class HostileInputs
{
    public static async Task<HostileInputReport> RunAsync(HostileInputTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        using var http = CreateClient(target);
        var operations = target.Contract.Operations.Where(target.Include).ToList();

        var attacked = await SeedAsync(target, http, operations);
        var other = await SeedAsync(target, http, operations);
        var bystander = target.ValidRequests.Count > 0 ? await SeedAsync(target, http, operations) : null;
        var foreign = other.SeenIds.Where(id => !attacked.SeenIds.Contains(id)).Append(other.Id.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var plan = new HostileRequestPlanner(target.Contract, new Random(target.RandomSeed), attacked, other, "Bearer " + target.TokenFor(attacked.Id), target.Examples,
                target.ExternalPathParameters)
            .Plan(operations)
            .Where(r => target.OnlyCases is null || r.Id.Contains(target.OnlyCases, StringComparison.OrdinalIgnoreCase))
            .ToList();
        target.Log($"{plan.Count} hostile requests planned for {operations.Count} operations (seed {target.RandomSeed}); seeding took {clock.Elapsed.TotalSeconds:F1} s");

        var run = new HostileInputRun(target, http, foreign);
        var traffic = bystander is null ? null : run.StartValidTraffic(bystander.Tenant);
        var before = await target.Fingerprint(attacked.Id);
        var otherBefore = await target.Fingerprint(other.Id);
        var sending = TimeSpan.Zero;
        var reading = TimeSpan.Zero;
        foreach (var request in plan)
        {
            traffic?.Release();
            var exchange = await SendAsync(http, target, request);
            sending += exchange.Elapsed;
            var read = Stopwatch.StartNew();
            var after = target.Fingerprint(attacked.Id);
            var otherAfter = target.Fingerprint(other.Id);
            run.Check(request, exchange, before, await after, otherBefore, await otherAfter);
            if (target.OnlyCases is not null)
                target.Log($"{request.Id}: {request.Description}\n{exchange}");
            reading += read.Elapsed;
            before = await after;
            otherBefore = await otherAfter;
        }

        var valid = traffic is null ? 0 : await traffic.StopAsync();
        target.Log($"hostile requests answered in {sending.TotalSeconds:F1} s, the tenants' state read after each in {reading.TotalSeconds:F1} s");
        return new HostileInputReport(target.RandomSeed, plan.Count, valid, clock.Elapsed, run.Failures.ToList(), run.Statuses);
    }

    /// <summary>Gives a fresh tenant its data, then reads every collection and item it can see to learn ids and cursors.</summary>
    static async Task<HarvestedTenant> SeedAsync(HostileInputTarget target, HttpClient http, IReadOnlyList<OpenApiContract.Operation> operations)
    {
        var id = Guid.NewGuid();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = target.BaseAddress, Timeout = target.RequestTimeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", target.TokenFor(id));
        var harvested = new HarvestedTenant(new FuzzTenant(id, await target.Seed(client)));

        var reads = operations.Where(o => o.Method == "GET").OrderBy(o => o.Path.Contains('{', StringComparison.Ordinal)).ToList();
        foreach (var operation in reads)
        {
            if (harvested.Fill(operation.Path) is not { } path)
                continue;
            if (await ReadAsync(client, path) is not { } listed)
                continue;
            if (!operation.Path.Contains('{', StringComparison.Ordinal))
                harvested.Collections[operation.Path] = ItemIds(listed).ToList();
            var parameters = operation.Definition.TryGetProperty("parameters", out var list)
                ? list.EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList()
                : [];
            if (parameters.Contains("cursor") && parameters.Contains("limit") && await ReadAsync(client, path + "?limit=1") is { } page &&
                page.ValueKind == JsonValueKind.Object && page.TryGetProperty("next_cursor", out var cursor) && cursor.ValueKind == JsonValueKind.String)
                harvested.Cursors[operation.Path] = cursor.GetString()!;
        }

        return harvested;

        async Task<JsonElement?> ReadAsync(HttpClient client, string path)
        {
            using var response = await client.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            foreach (Match match in Uuid().Matches(text))
                harvested.SeenIds.Add(match.Value);
            return response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json"
                ? JsonDocument.Parse(text).RootElement.Clone()
                : null;
        }
    }

    static IEnumerable<string> ItemIds(JsonElement? listed)
    {
        var items = listed switch
        {
            { ValueKind: JsonValueKind.Array } array => array,
            { ValueKind: JsonValueKind.Object } page when page.TryGetProperty("items", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
            _ => default,
        };
        if (items.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (var item in items.EnumerateArray())
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                yield return id.GetString()!;
    }

    static HttpClient CreateClient(HostileInputTarget target) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        // Non-ASCII header values go out as UTF-8 bytes instead of failing in the client.
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
    })
    {
        BaseAddress = target.BaseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    static Task<FuzzExchange> SendAsync(HttpClient http, HostileInputTarget target, HostileRequest request)
    {
        // Sent as written: without this, Uri would resolve dot segments and unescape before the server ever saw them.
        var uri = new Uri(target.BaseAddress.GetLeftPart(UriPartial.Authority) + request.Target,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        foreach (var (name, value) in request.Headers)
            message.Headers.TryAddWithoutValidation(name, value);
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            // As a careful uploader does: a server that refuses a large body (413) answers before it is sent, instead of
            // closing the connection under a client still writing it (which the client sees as a broken pipe, not the 413).
            if (body.Length > 64 * 1024)
                message.Headers.ExpectContinue = true;
            if (request.ContentType is { } contentType)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return SendAsync(http, message, request.Target, request.Headers, request.Body, target.RequestTimeout);
    }

    internal static async Task<FuzzExchange> SendAsync(HttpClient http, HttpRequestMessage message, string shownTarget,
        IReadOnlyList<KeyValuePair<string, string>> shownHeaders, byte[]? body, TimeSpan timeout)
    {
        using var _ = message;
        var headers = shownHeaders.ToList();
        if (message.Content?.Headers.ContentType is { } type)
            headers.Add(new("Content-Type", type.ToString()));
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var response = await http.SendAsync(message, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            return new FuzzExchange(message.Method.Method, shownTarget, headers, body, (int)response.StatusCode,
                response.Content.Headers.ContentType?.MediaType, text, clock.Elapsed, null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return new FuzzExchange(message.Method.Method, shownTarget, headers, body, null, null, "", clock.Elapsed,
                $"{e.GetType().Name}: {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}");
        }
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    internal static partial Regex Uuid();
}

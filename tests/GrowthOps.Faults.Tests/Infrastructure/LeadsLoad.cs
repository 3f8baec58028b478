using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// A steady load through the Leads API: each worker owns a slice of the contacts and, at a fixed pace whatever the answers,
/// alternates contact updates (a new company and a new attribute, both carrying the request's marker) with lead transitions
/// along a cycle of default states (the marker in the notes). Requests go round robin to the replicas. Every request is
/// recorded with its outcome, so the effects can be checked against exactly what was accepted.
/// </summary>
public sealed class LeadsLoad : IAsyncDisposable
{
    /// <summary>The <c>triggered_by</c> of the load's transitions (the lifecycle saga's are <c>lead-lifecycle</c>).</summary>
    public const string TriggeredBy = "fault-load";

    /// <summary>The metadata key of imported activities that holds the import's marker.</summary>
    public const string ImportMarker = "fault_import";

    /// <summary>The pipeline cycle; every step is a default transition, and dormant → contacted reactivates a lead.</summary>
    static readonly string[] Path = ["contacted", "qualified", "proposal", "negotiation", "dormant"];

    readonly IReadOnlyList<HttpClient> _replicas;
    readonly Guid[] _contacts;
    readonly int _workers;
    readonly TimeSpan _interval;
    readonly ConcurrentQueue<RequestRecord> _records = new();
    readonly ConcurrentDictionary<Guid, string?> _states = new();
    readonly CancellationTokenSource _stop = new();
    Task? _running;
    int _next;

    /// <param name="replicas">One client per Leads replica.</param>
    /// <param name="contacts">Contacts in state <c>new</c>.</param>
    /// <param name="workers">Concurrent clients; each sends one request per <paramref name="interval"/>.</param>
    public LeadsLoad(IReadOnlyList<HttpClient> replicas, IReadOnlyList<Guid> contacts, int workers, TimeSpan interval)
    {
        _replicas = replicas;
        _contacts = contacts.ToArray();
        _workers = workers;
        _interval = interval;
        foreach (var id in _contacts)
            _states[id] = "new";
    }

    public IReadOnlyList<RequestRecord> Records => _records.ToArray();

    public void Start() => _running = Task.WhenAll(Enumerable.Range(0, _workers).Select(w => Task.Run(() => WorkAsync(w))));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
            await _running;
    }

    /// <summary>Waits until <paramref name="count"/> requests started at or after <paramref name="since"/> were accepted; false at the deadline.</summary>
    public async Task<bool> WaitForAcceptedAsync(DateTime since, int count, TimeSpan timeout)
    {
        try
        {
            await Eventually.Until(() => Task.FromResult(_records.Count(r => r.Started >= since && r.Outcome == RequestOutcome.Accepted)), n => n >= count,
                timeout, $"{count} requests accepted");
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    async Task WorkAsync(int worker)
    {
        var mine = _contacts.Where((_, i) => i % _workers == worker).ToArray();
        var clock = Stopwatch.StartNew();
        for (var step = 0L; !_stop.IsCancellationRequested && mine.Length > 0; step++)
        {
            var contact = mine[step % mine.Length];
            var replica = Interlocked.Increment(ref _next) % _replicas.Count;
            var transition = step / mine.Length % 2 == 0;
            if (transition && _states[contact] is null)
                await ResyncAsync(_replicas[replica], contact);
            else if (transition)
                await TransitionAsync(_replicas[replica], replica, contact);
            else
                await UpdateAsync(_replicas[replica], replica, contact);

            // A steady pace, whatever the answers: the load does not back off during a fault.
            var due = _interval * (step + 1);
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    async Task UpdateAsync(HttpClient http, int replica, Guid contact)
    {
        var marker = $"u{Guid.NewGuid():N}";
        await SendAsync(EffectKinds.Update, http, replica, contact, marker, 1,
            () => http.PatchAsJsonAsync($"/api/leads/contacts/{contact}", new Dictionary<string, object>
            {
                ["company"] = marker,
                ["attributes"] = new Dictionary<string, int> { [$"op_{marker}"] = 1 },
            }), _ => Task.CompletedTask);
    }

    async Task TransitionAsync(HttpClient http, int replica, Guid contact)
    {
        var marker = $"t{Guid.NewGuid():N}";
        var from = _states[contact];
        var to = from is "new" or "dormant" or null ? "contacted" : Path[(Array.IndexOf(Path, from) + 1) % Path.Length];
        await SendAsync(EffectKinds.Transition, http, replica, contact, marker, 1,
            () => http.PostAsJsonAsync($"/api/leads/contacts/{contact}/transitions", new Dictionary<string, string>
            {
                ["to_state"] = to, ["notes"] = marker, ["triggered_by"] = TriggeredBy,
            }), async response =>
            {
                if (response is null)
                    _states[contact] = null;
                else if (response.IsSuccessStatusCode)
                    _states[contact] = to;
                else if (response.StatusCode == HttpStatusCode.Conflict)
                    // The lifecycle saga moved the lead (to dormant) meanwhile: the problem says where it is now.
                    _states[contact] = await CurrentState(response);
            });
    }

    /// <summary>
    /// An importer's batch, besides the steady load: <paramref name="activities"/> activities for new contacts in one
    /// transaction, so the consumers have a backlog of that many events behind it.
    /// </summary>
    public async Task<RequestRecord> ImportAsync(int activities, int contacts)
    {
        var marker = $"i{Guid.NewGuid():N}";
        var body = new Dictionary<string, object>
        {
            ["activities"] = Enumerable.Range(0, activities).Select(i => new Dictionary<string, object>
            {
                ["type"] = "fault.import", ["contact_email"] = $"import{i % contacts}@{marker}.test",
                ["metadata"] = new Dictionary<string, string> { [ImportMarker] = marker },
            }).ToList(),
        };
        await SendAsync(EffectKinds.Activity, _replicas[0], 0, Guid.Empty, marker, activities,
            () => _replicas[0].PostAsJsonAsync("/api/leads/activities/batch", body), _ => Task.CompletedTask);
        return _records.Last(r => r.Marker == marker);
    }

    async Task SendAsync(string kind, HttpClient http, int replica, Guid contact, string marker, int expected, Func<Task<HttpResponseMessage>> send,
        Func<HttpResponseMessage?, Task> observe)
    {
        var started = DateTime.UtcNow;
        try
        {
            using var response = await send();
            _records.Enqueue(new RequestRecord(kind, contact, marker, expected, replica, started, DateTime.UtcNow, (int)response.StatusCode,
                response.IsSuccessStatusCode ? RequestOutcome.Accepted : RequestOutcome.Rejected, response.Content.Headers.ContentType?.MediaType,
                response.Headers.RetryAfter is not null, response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync()));
            await observe(response);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            // Nothing listened (the process is down): the request never reached the service.
            _records.Enqueue(new RequestRecord(kind, contact, marker, expected, replica, started, DateTime.UtcNow, 0, RequestOutcome.Rejected, null, false, e.Message));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            _records.Enqueue(new RequestRecord(kind, contact, marker, expected, replica, started, DateTime.UtcNow, 0, RequestOutcome.Unknown, null, false, e.Message));
            await observe(null);
        }
    }

    /// <summary>After a transition without an answer the lead's state is unknown: read it back before the next move.</summary>
    async Task ResyncAsync(HttpClient http, Guid contact)
    {
        try
        {
            using var response = await http.GetAsync($"/api/leads/contacts/{contact}");
            if (response.IsSuccessStatusCode)
                _states[contact] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lead_state").GetString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // Still unreachable: try again at the next turn.
        }
    }

    static async Task<string?> CurrentState(HttpResponseMessage response)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return problem.TryGetProperty("current_state", out var state) ? state.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

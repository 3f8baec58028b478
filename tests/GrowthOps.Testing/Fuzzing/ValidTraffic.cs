using System.Net.Http.Headers;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// The bystander's valid requests, <see cref="HostileInputTarget.ValidConcurrency"/> at a time: each hostile request releases
/// one round, so they are in flight together with it (a connection a failed request broke is handed on to one of them).
/// </summary>
sealed class ValidTraffic
{
    readonly SemaphoreSlim rounds = new(0);
    readonly CancellationTokenSource stop = new();
    readonly HostileInputTarget target;
    readonly List<Task> workers;
    int sent;

    public ValidTraffic(HostileInputTarget target, HttpClient http, FuzzTenant bystander, HostileInputRun run)
    {
        this.target = target;
        workers = Enumerable.Range(0, target.ValidConcurrency).Select(_ => Task.Run(() => WorkAsync(http, bystander, run))).ToList();
    }

    public void Release()
    {
        // Never more than a round waiting: the valid requests keep pace with the hostile ones instead of flooding the machine.
        if (rounds.CurrentCount < target.ValidConcurrency)
            rounds.Release(target.ValidConcurrency);
    }

    /// <summary>Stops after the requests in flight; returns how many were sent.</summary>
    public async Task<int> StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        stop.Dispose();
        rounds.Dispose();
        return sent;
    }

    async Task WorkAsync(HttpClient http, FuzzTenant bystander, HostileInputRun run)
    {
        while (true)
        {
            try
            {
                await rounds.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var number = Interlocked.Increment(ref sent);
            var request = target.ValidRequests[number % target.ValidRequests.Count](number, bystander);
            request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", target.TokenFor(bystander.Id));
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync();
            var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.PathAndQuery : request.RequestUri.OriginalString;
            var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))).ToList();
            var exchange = await HostileInputs.SendAsync(http, request, path, headers, body, target.RequestTimeout);
            var operation = run.OperationOf(exchange.Method, path);
            if (exchange.Status is not (>= 200 and < 300))
                run.Fail(new FuzzFailure(FuzzCheck.ValidRequestFailed, "valid", operation, null, exchange, "a valid request failed while hostile ones were in flight"));
            if (run.SeenForeignId(exchange, "") is { } seen)
                run.Fail(new FuzzFailure(FuzzCheck.OtherTenantSeen, "valid", operation, null, exchange, $"the answer holds the other tenant's id {seen}"));
        }
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Bench.Infrastructure;
using Npgsql;

namespace GrowthOps.Bench.Email;

/// <summary>
/// <c>./growthops bench email</c>: a broadcast through the whole Email service from the campaign's "send" to every email
/// recorded as sent, beside the physical limit measured in the same run — the rate at which the same Postmark-format fake
/// accepts the very batch requests the service sent it (phase <c>postmark</c>), and the rate at which plain MailKit
/// connections hand the same email to the local SMTP server (phase <c>smtp</c>).
/// </summary>
sealed class EmailBenchmark : IBenchmark
{
    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var phases = BenchArgs.Text(args, "--phases", "postmark,smtp").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        BenchOutput.Note($"machine: {Environment.ProcessorCount} cores, load average {CpuSampler.LoadAverage()} at the start (1/5/15 min); " +
                         $"phases {string.Join(", ", phases)}");
        var failed = 0;
        if (phases.Contains("postmark"))
            failed += await BenchWebApps.RunPhaseAsync("postmark", () => PostmarkAsync(args, ct));
        if (phases.Contains("smtp"))
            failed += await BenchWebApps.RunPhaseAsync("smtp", () => SmtpAsync(args, ct));
        BenchOutput.Note($"load average {CpuSampler.LoadAverage()} at the end");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// 100k consenting recipients, one campaign to all of them through the API (template with merge fields, tracking and
    /// unsubscribe headers added by the service), Postmark as the platform's provider pointed at the in-process fake.
    /// </summary>
    static async Task PostmarkAsync(string[] args, CancellationToken ct)
    {
        var recipients = BenchArgs.Int(args, "--recipients", 100_000);
        var workers = BenchArgs.Int(args, "--workers", 2);
        var batch = BenchArgs.Int(args, "--batch", 500);
        using var steps = new StepRecorder();
        await using var fake = await FakePostmark.StartAsync(ct);
        await using var database = await BenchDatabase.CreateAsync("email", "email", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("email", ct);
        await using var email = await InProcessEmail.StartAsync(database, vhost, new Dictionary<string, string?>
        {
            ["Email:Providers:Default"] = "postmark",
            ["Email:Postmark:BaseUrl"] = fake.BaseUrl,
            ["Email:Postmark:ServerToken"] = fake.Token,
            ["Email:Sending:BroadcastWorkers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Sending:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, ct);
        await using var admin = await database.OpenProbeAsync(ct);

        // Every code path once on a small campaign first, so the measured one pays for no JIT or cold pool.
        BenchOutput.Progress("warm-up: a 2,000-recipient campaign");
        var warm = await BroadcastAsync(email, admin, 2_000, TimeSpan.FromSeconds(120), ct);

        BenchOutput.Progress($"loading {recipients:N0} recipients, then the broadcast ({workers} workers, batches of {batch})");
        steps.Reset();
        var cpu = CpuSampler.Start();
        var acceptedBefore = fake.Accepted;
        var run = await BroadcastAsync(email, admin, recipients, TimeSpan.FromMinutes(10), ct);
        var cpuReport = cpu.Report();
        var rate = recipients / run.Total.TotalSeconds;
        BenchOutput.Figure("email_broadcast_fan_out", run.FanOut.TotalMilliseconds, "ms");
        BenchOutput.Figure("email_broadcast", rate, "emails/s");
        BenchOutput.Note($"broadcast: {recipients:N0} emails sent and recorded {run.Total.TotalSeconds:F1} s after the send call " +
                         $"(fan-out {run.FanOut.TotalMilliseconds:F0} ms of it); the fake accepted {fake.Accepted - acceptedBefore:N0} in " +
                         $"{fake.Requests} requests over the whole run; warm-up {warm.Total.TotalSeconds:F1} s for 2,000");
        BenchOutput.Note("broadcast " + cpuReport);
        BenchOutput.Note($"broadcast steps per batch (summed over {workers} workers; the service's growthops.email.batch.step.duration): {steps.Report()}");

        // The physical limit: the same requests (the largest body the service sent, its 500 messages) posted as fast as the
        // fake accepts them, by as many concurrent senders as the service had workers, and with more.
        var body = fake.LargestBody ?? throw new InvalidOperationException("the fake received no batch");
        var perRequest = fake.LargestCount;
        foreach (var senders in new[] { workers, Math.Max(8, workers * 2) }.Distinct())
        {
            cpu = CpuSampler.Start();
            var raw = await RawPostAsync(fake, body, perRequest, recipients, senders, ct);
            var name = senders == workers ? "postmark_fake_raw" : $"postmark_fake_raw_{senders}_senders";
            BenchOutput.Figure(name, raw, "emails/s");
            if (senders == workers)
                BenchOutput.Figure("email_broadcast_ratio", rate / raw, "ratio", 2);
            BenchOutput.Note($"{name}: {recipients:N0} emails in requests of {perRequest} ({body.Length / 1024:N0} KiB each), {senders} concurrent senders; {cpu.Report()}");
        }
    }

    internal sealed record Broadcast(TimeSpan FanOut, TimeSpan Total);

    /// <summary>Creates a tenant with <paramref name="count"/> recipients and sends one campaign to them all; returns when all are recorded.</summary>
    internal static async Task<Broadcast> BroadcastAsync(InProcessEmail email, NpgsqlConnection admin, int count, TimeSpan timeout, CancellationToken ct)
    {
        var tenant = Guid.NewGuid();
        await LoadRecipientsAsync(admin, tenant, count, ct);
        using var client = email.ClientFor(tenant);
        var campaign = await CampaignAsync(client, count, ct);

        var started = Stopwatch.StartNew();
        using (var sent = await client.PostAsync($"/api/email/campaigns/{campaign}/send", null, ct))
            await EnsureAsync(sent, "send", ct);
        var fanOut = started.Elapsed;
        await Poll.UntilAsync(() => QueuedAsync(admin, tenant, campaign, ct), n => n == 0, timeout, "every email of the campaign to be recorded", ct, 50);
        var total = started.Elapsed;
        var statuses = await StatusesAsync(admin, tenant, campaign, ct);
        if (statuses.GetValueOrDefault("sent") != count)
            throw new InvalidOperationException($"the campaign ended with {string.Join(", ", statuses.Select(s => $"{s.Value} {s.Key}"))}, not {count} sent");
        return new Broadcast(fanOut, total);
    }

    static async Task LoadRecipientsAsync(NpgsqlConnection admin, Guid tenant, int count, CancellationToken ct)
    {
        await using var load = new NpgsqlCommand("""
            insert into email.recipients (tenant_id, contact_id, version, email, first_name, last_name, company, timezone, marketing_consent, updated_at)
            select $1, gen_random_uuid(), 1, 'r' || g || '-' || $3 || '@bench.test', 'First' || g, 'Last' || g, 'Company ' || (g % 977), 'Europe/Berlin', true, now()
              from generate_series(1, $2) g
            """, admin) { CommandTimeout = 0 };
        load.Parameters.AddWithValue(tenant);
        load.Parameters.AddWithValue(count);
        load.Parameters.AddWithValue(tenant.ToString("N")[..8]);
        await load.ExecuteNonQueryAsync(ct);
        await using var analyze = new NpgsqlCommand("analyze email.recipients", admin) { CommandTimeout = 0 };
        await analyze.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The wizard through the API: template, campaign, settings, audience (everyone consenting), design, review.</summary>
    static async Task<Guid> CampaignAsync(HttpClient client, int count, CancellationToken ct)
    {
        var template = await PostAsync(client, "/api/email/templates", new
        {
            name = "Bench newsletter",
            subject = "{{first_name}}, the December news from {{company}}",
            html = BenchTemplate.Html,
        }, ct);
        var campaign = await PostAsync(client, "/api/email/campaigns", new { name = "Bench broadcast" }, ct);
        await PutAsync(client, $"/api/email/campaigns/{campaign}/settings", new
        {
            name = "Bench broadcast", from_email = "news@bench.test", from_name = "GrowthOps Bench", reply_to = "team@bench.test",
            subject = "{{first_name}}, the December news from {{company}}",
        }, ct);
        await PutAsync(client, $"/api/email/campaigns/{campaign}/audience", new { all_consenting = true }, ct);
        await PutAsync(client, $"/api/email/campaigns/{campaign}/design", new { template_id = template }, ct);
        var review = await client.GetFromJsonAsync<JsonElement>($"/api/email/campaigns/{campaign}/review", ct);
        if (!review.GetProperty("ready").GetBoolean() || review.GetProperty("counts").GetProperty("sendable").GetInt32() != count)
            throw new InvalidOperationException($"the campaign is not ready to send to {count}: {review}");
        return campaign;
    }

    static async Task<Guid> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        await EnsureAsync(response, path, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
    }

    static async Task PutAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PutAsJsonAsync(path, body, ct);
        await EnsureAsync(response, path, ct);
    }

    static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    static async Task<long> QueuedAsync(NpgsqlConnection admin, Guid tenant, Guid campaign, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select count(*) from email.email_jobs where tenant_id = $1 and campaign_id = $2 and status = 'queued'", admin);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(campaign);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    static async Task<Dictionary<string, long>> StatusesAsync(NpgsqlConnection admin, Guid tenant, Guid campaign, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select status, count(*) from email.email_jobs where tenant_id = $1 and campaign_id = $2 group by status", admin);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(campaign);
        var statuses = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            statuses[reader.GetString(0)] = reader.GetInt64(1);
        return statuses;
    }

    static async Task<double> RawPostAsync(FakePostmark fake, byte[] body, int perRequest, int emails, int senders, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders }) { BaseAddress = new Uri(fake.BaseUrl) };
        var requests = 0;
        var next = -1;
        async Task SendAsync()
        {
            while (Interlocked.Increment(ref next) < requests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/email/batch") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Postmark-Server-Token", fake.Token);
                request.Headers.Add("Accept", "application/json");
                using var response = await http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                // The answer is read and parsed, as the service's client does.
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                using var answer = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
                if (answer.RootElement.GetArrayLength() != perRequest)
                    throw new InvalidOperationException("the fake answered a different number of results");
            }
        }

        // A few requests per sender first (connections opened, code paths jitted), not timed.
        requests = senders * 4;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => SendAsync()));
        requests = (int)Math.Ceiling(emails / (double)perRequest);
        next = -1;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => SendAsync()));
        return requests * perRequest / started.Elapsed.TotalSeconds;
    }

    static Task SmtpAsync(string[] args, CancellationToken ct) => new SmtpPhase().RunAsync(args, ct);
}

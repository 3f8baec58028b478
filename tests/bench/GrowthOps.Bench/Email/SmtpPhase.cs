using System.Diagnostics;
using GrowthOps.Bench.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace GrowthOps.Bench.Email;

/// <summary>
/// SMTP throughput to the local server (smtp4dev): a broadcast through the Email service over its pooled SMTP provider,
/// beside plain MailKit clients on as many connections handing the server the same kind of email. The server's store is
/// emptied before each side, because smtp4dev slows down as messages pile up in it.
/// </summary>
sealed class SmtpPhase
{
    public async Task RunAsync(string[] args, CancellationToken ct)
    {
        var messages = BenchArgs.Int(args, "--smtp-messages", 1_000);
        var connections = BenchArgs.Int(args, "--smtp-connections", 8);
        using var smtp4dev = new HttpClient { BaseAddress = new Uri(BenchEnvironment.SmtpApi.TrimEnd('/') + "/") };

        await ClearAsync(smtp4dev, ct);
        var cpu = CpuSampler.Start();
        var raw = await RawAsync(messages, connections, ct);
        BenchOutput.Figure("smtp_raw_mailkit", raw, "emails/s");
        BenchOutput.Note($"smtp_raw_mailkit: {messages:N0} emails over {connections} MailKit connections to {BenchEnvironment.SmtpHost}:{BenchEnvironment.SmtpPort}; {cpu.Report()}");

        await ClearAsync(smtp4dev, ct);
        using var steps = new StepRecorder();
        await using var database = await BenchDatabase.CreateAsync("emailsmtp", "email", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("emailsmtp", ct);
        await using var email = await InProcessEmail.StartAsync(database, vhost, new Dictionary<string, string?>
        {
            ["Email:Providers:Default"] = "smtp",
            ["Email:Smtp:PoolSize"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Sending:BroadcastWorkers"] = BenchArgs.Text(args, "--smtp-workers", "2"),
        }, ct);
        await using var admin = await database.OpenProbeAsync(ct);
        cpu = CpuSampler.Start();
        var run = await EmailBenchmark.BroadcastAsync(email, admin, messages, TimeSpan.FromMinutes(10), ct);
        var rate = messages / run.Total.TotalSeconds;
        BenchOutput.Figure("email_smtp_broadcast", rate, "emails/s");
        BenchOutput.Figure("email_smtp_broadcast_ratio", rate / raw, "ratio", 2);
        BenchOutput.Note($"email_smtp_broadcast: {messages:N0} emails sent and recorded {run.Total.TotalSeconds:F1} s after the send call " +
                         $"(fan-out {run.FanOut.TotalMilliseconds:F0} ms), SMTP pool of {connections}; {cpu.Report()}");
        BenchOutput.Note($"email_smtp_broadcast steps per batch: {steps.Report()}");
        await ClearAsync(smtp4dev, ct);
    }

    static async Task ClearAsync(HttpClient smtp4dev, CancellationToken ct)
    {
        using var response = await smtp4dev.DeleteAsync("api/messages/*", ct);
        if (!response.IsSuccessStatusCode)
            BenchOutput.Progress($"emptying smtp4dev answered {(int)response.StatusCode}; its store is not emptied");
    }

    static async Task<double> RawAsync(int messages, int connections, CancellationToken ct)
    {
        var html = BenchTemplate.Html.Replace("{{first_name}}", "Ada", StringComparison.Ordinal)
            .Replace("{{#if company}}{{company}}{{else}}your team{{/if}}", "Company 7", StringComparison.Ordinal);
        var clients = new List<SmtpClient>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new SmtpClient();
                // Nagle off, as the service's provider does (the best case is the limit).
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(BenchEnvironment.SmtpHost, BenchEnvironment.SmtpPort, ct);
                await client.ConnectAsync(socket, BenchEnvironment.SmtpHost, BenchEnvironment.SmtpPort, SecureSocketOptions.None, ct);
                clients.Add(client);
            }

            var next = -1;
            var started = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async client =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < messages)
                {
                    var message = new MimeMessage();
                    message.From.Add(new MailboxAddress("GrowthOps Bench", "news@bench.test"));
                    message.To.Add(MailboxAddress.Parse($"raw{n}@bench.test"));
                    message.Subject = $"Ada, the December news from Company {n % 977}";
                    message.Body = new BodyBuilder { HtmlBody = html, TextBody = "Hi Ada, here is what changed this month." }.ToMessageBody();
                    await client.SendAsync(message, ct);
                }
            }));
            return messages / started.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var client in clients)
            {
                if (client.IsConnected)
                    await client.DisconnectAsync(true, CancellationToken.None);
                client.Dispose();
            }
        }
    }
}

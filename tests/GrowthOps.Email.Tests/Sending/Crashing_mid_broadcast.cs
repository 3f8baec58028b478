using System.Net.Http.Json;
using System.Text.Json;

namespace GrowthOps.Email.Tests.Sending;

/// <summary>
/// The Email service killed with SIGKILL in the middle of a broadcast: the rows of the batch in flight were still locked and
/// unrecorded, so after a restart every email is sent, none is lost, and at most that one batch arrives twice.
/// </summary>
public sealed class Crashing_mid_broadcast(HeldEmailApp app) : IClassFixture<HeldEmailApp>
{
    const int Recipients = 150;
    const int BatchSize = 25;

    [Fact]
    public async Task A_process_killed_mid_send_loses_nothing_and_sends_at_most_the_batch_in_flight_twice()
    {
        var tenant = Guid.NewGuid();
        var domain = $"{Guid.NewGuid():N}.example";
        var contacts = Enumerable.Range(0, Recipients).Select(i => EmailClient.Contact(email: $"r{i}@{domain}")).ToArray();
        await app.Contacts(tenant, contacts);
        var campaign = await app.CampaignAsync(tenant, "Crash test", "<p>Hello {{first_name}}</p>");
        await app.FanOutAsync(tenant, campaign, contacts.Select(c => c.Id).ToArray());

        // Paced to ~50 emails a second in batches of 25, so the kill lands while batches are going out.
        var settings = ServiceSettings.For(app.Database, app.VirtualHost);
        settings["Email:Smtp:Host"] = TestEnvironment.SmtpHost;
        settings["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Email:Sending:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Email:Sending:ProviderRatePerSecond"] = "50";
        settings["Email:Sending:BroadcastWorkers"] = "1";
        var environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" };

        await using (var first = ChildProcess.Start(EmailDll(), settings, environment))
        {
            await first.WaitReadyAsync();
            await Eventually.Until(() => app.JobsAsync(campaign, "sent"), n => n >= BatchSize, TimeSpan.FromSeconds(60),
                $"the first process has sent a batch\n{first.Output}");
            await first.KillAsync();
        }
        var sentBeforeTheRestart = await app.JobsAsync(campaign, "sent");
        Assert.True(sentBeforeTheRestart < Recipients, "the kill came before the end of the broadcast");

        await using (var second = ChildProcess.Start(EmailDll(), settings, environment))
        {
            await second.WaitReadyAsync();
            await Eventually.Until(() => app.JobsAsync(campaign, "sent"), n => n == Recipients, TimeSpan.FromSeconds(90),
                $"the restarted process sends the rest\n{second.Output}");
        }

        var arrived = await Eventually.Until(() => ArrivedAsync(domain), a => a.Count == Recipients, TimeSpan.FromSeconds(60),
            "every recipient has the email");
        var duplicates = arrived.Values.Sum(n => n - 1);
        Assert.True(duplicates <= BatchSize, $"{duplicates} emails arrived twice; at most the batch in flight ({BatchSize}) may");
        Assert.Equal(0L, await app.JobsAsync(campaign, "queued"));
    }

    /// <summary>How many emails each address of the domain received.</summary>
    static async Task<Dictionary<string, int>> ArrivedAsync(string domain)
    {
        using var http = new HttpClient { BaseAddress = new Uri(TestEnvironment.SmtpApi.TrimEnd('/') + "/") };
        var page = await http.GetFromJsonAsync<JsonElement>($"api/messages?pageSize=5000&searchTerms={Uri.EscapeDataString(domain)}");
        return page.GetProperty("results").EnumerateArray()
            .SelectMany(m => m.GetProperty("to").EnumerateArray().Select(t => t.GetString()!))
            .Where(t => t.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase))
            .GroupBy(t => t.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>The Email service built next to this test assembly's configuration (Release under <c>./growthops test</c>).</summary>
    static string EmailDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = output; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return Path.Combine(dir.FullName, "services", "Email", "GrowthOps.Email", "bin", output.Parent!.Name, output.Name, "GrowthOps.Email.dll");
        throw new InvalidOperationException("GrowthOps.sln not found above the test assembly.");
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace GrowthOps.Testing;

/// <summary>
/// Reads what arrived at the tests' SMTP server (smtp4dev's REST API). Tests share the server, so each sends to addresses
/// of its own (<see cref="Address"/>: a fresh domain per call) and looks messages up by recipient.
/// </summary>
public sealed class MailCatcher : IDisposable
{
    readonly HttpClient http = new() { BaseAddress = new Uri(TestEnvironment.SmtpApi.TrimEnd('/') + "/") };

    public sealed record Summary(string Id, string From, IReadOnlyList<string> To, string Subject, DateTimeOffset ReceivedDate);

    public sealed record Message(Summary Summary, IReadOnlyDictionary<string, string> Headers, string? Html, string? Text);

    /// <summary>An address at a domain nobody else in the run uses.</summary>
    public static string Address(string local = "someone") => $"{local}@{Guid.NewGuid():N}.example";

    /// <summary>The messages whose recipients include <paramref name="to"/> (case-insensitive), newest first.</summary>
    public async Task<IReadOnlyList<Summary>> ToAsync(string to)
    {
        var page = await http.GetFromJsonAsync<JsonElement>($"api/messages?pageSize=500&searchTerms={Uri.EscapeDataString(to)}");
        return page.GetProperty("results").EnumerateArray()
            .Select(m => new Summary(m.GetProperty("id").GetString()!, m.GetProperty("from").GetString()!,
                m.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList(), m.GetProperty("subject").GetString() ?? "",
                m.GetProperty("receivedDate").GetDateTimeOffset()))
            .Where(m => m.To.Any(t => string.Equals(t, to, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    /// <summary>Waits until exactly <paramref name="count"/> messages to <paramref name="to"/> arrived (a message shows ~0.5 s after SMTP accepted it).</summary>
    public Task<IReadOnlyList<Summary>> WaitForAsync(string to, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Until(() => ToAsync(to), m => m.Count >= count, timeout ?? TimeSpan.FromSeconds(30), $"{count} message(s) to {to} arrive");

    /// <summary>One message whole: headers, HTML and text bodies.</summary>
    public async Task<Message> GetAsync(Summary summary)
    {
        var m = await http.GetFromJsonAsync<JsonElement>($"api/messages/{summary.Id}");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in m.GetProperty("headers").EnumerateArray())
            headers[h.GetProperty("name").GetString()!] = h.GetProperty("value").GetString() ?? "";
        var html = m.GetProperty("hasHtmlBody").GetBoolean() ? await http.GetStringAsync($"api/messages/{summary.Id}/html") : null;
        var text = m.GetProperty("hasPlainTextBody").GetBoolean() ? await http.GetStringAsync($"api/messages/{summary.Id}/plaintext") : null;
        return new Message(summary, headers, html, text);
    }

    public void Dispose() => http.Dispose();
}

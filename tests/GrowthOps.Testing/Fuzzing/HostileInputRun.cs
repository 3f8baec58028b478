using System.Collections.Concurrent;
using System.Text.Json;
using GrowthOps.Testing.OpenApi;
using static GrowthOps.Testing.Fuzzing.HostileRequest.Expectation;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>The checks of one run, and what they found: each answer is held to every property its request is subject to.</summary>
sealed class HostileInputRun(HostileInputTarget target, HttpClient http, IReadOnlySet<string> foreignIds)
{
    const string Problem = "application/problem+json";

    public ConcurrentQueue<FuzzFailure> Failures { get; } = new();

    public ConcurrentDictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The one refusal no application code can shape: Kestrel rejects a NUL (<c>%00</c>) in the request target while parsing the
    /// request line — before any middleware runs, with no hook — answering a bare 400 and closing the connection. Only that
    /// exact answer to that exact input is let through (README, "Errors").
    /// </summary>
    static bool RefusedByKestrel(HostileRequest request, FuzzExchange exchange) =>
        request.Kind == "path.nul" && exchange.Status == 400 && exchange.ResponseBody.Length == 0 && exchange.MediaType is null;

    public ValidTraffic StartValidTraffic(FuzzTenant bystander) => new(target, http, bystander, this);

    public void Check(HostileRequest request, FuzzExchange exchange, string before, string after, string otherBefore, string otherAfter)
    {
        var family = request.Kind.Split('.')[0];
        Statuses.AddOrUpdate($"{family} {exchange.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}", 1, (_, n) => n + 1);
        void Fail(FuzzCheck check, string detail) => Failures.Enqueue(new FuzzFailure(check, request.Kind, request.Operation, request, exchange, detail));

        if (otherBefore != otherAfter)
            Fail(FuzzCheck.OtherTenantTouched, $"the other tenant's stored state changed: {Changed(otherBefore, otherAfter)}");
        if (SeenForeignId(exchange, request.Target + System.Text.Encoding.UTF8.GetString(request.Body ?? [])) is { } seen)
            Fail(FuzzCheck.OtherTenantSeen, $"the answer holds the other tenant's id {seen}");
        if (exchange.Status is not { } status)
        {
            Fail(FuzzCheck.NoAnswer, "no response");
            if (before != after)
                Fail(FuzzCheck.RefusedButWritten, $"unanswered, yet it wrote: {Changed(before, after)}");
            return;
        }

        if (status >= 500)
            Fail(FuzzCheck.ServerError, $"answered {status}");
        if (status >= 400 && ProblemError(exchange) is { } notAProblem && !RefusedByKestrel(request, exchange))
            Fail(FuzzCheck.NotAProblem, notAProblem);
        if (status >= 400 && before != after)
            Fail(FuzzCheck.RefusedButWritten, $"refused with {status}, yet it wrote: {Changed(before, after)}");

        var success = status < 400;
        switch (request.Expect)
        {
            case Refused when success:
                Fail(FuzzCheck.NotRefused, $"accepted ({status}) what must be refused");
                break;
            case Unauthorized when status is not (401 or 403):
                Fail(success ? FuzzCheck.NotRefused : FuzzCheck.WrongStatus, $"answered {status} to a bad token, not 401/403");
                break;
            case MethodNotAllowed when status != 405:
                Fail(success ? FuzzCheck.NotRefused : FuzzCheck.WrongStatus, $"answered {status} to a method the path does not have, not 405");
                break;
            case EmptyOrRefused when success && Listed(exchange) is > 0 and var count:
                Fail(FuzzCheck.FilterIgnored, $"a filter that matches nothing of the caller's listed {count} items");
                break;
        }

        if (request.Field is { } field && status == 400 && !exchange.ResponseBody.Contains(field, StringComparison.OrdinalIgnoreCase))
            Fail(FuzzCheck.FieldNotNamed, $"the 400 does not name {field}");

        if (success && Operation(request.Operation) is { } operation)
        {
            if (request.Body is { } body)
            {
                // Decoded as the server does: a byte-order mark is not part of the JSON.
                var violations = target.Contract.CheckRequest(operation, request.ContentType?.Split(';')[0].Trim(), System.Text.Encoding.UTF8.GetString(body).TrimStart('\uFEFF'));
                if (violations.Count > 0)
                    Fail(FuzzCheck.AcceptedOffContract, $"accepted ({status}) a body the document refuses: {string.Join("; ", violations.Take(3))}");
            }

            if (request.Expect != Refused)
            {
                var violations = target.Contract.CheckResponse(operation, status, exchange.MediaType, exchange.ResponseBody);
                if (violations.Count > 0)
                    Fail(FuzzCheck.ResponseOffContract, string.Join("; ", violations.Take(3)));
            }
        }
    }

    /// <summary>What is wrong with an error's body as a problem document (RFC 9457), or null.</summary>
    public static string? ProblemError(FuzzExchange exchange)
    {
        if (exchange.MediaType != Problem)
            return $"an error as {exchange.MediaType ?? "no content type"}{(exchange.ResponseBody.Length == 0 ? " with an empty body" : "")}, not {Problem}";
        try
        {
            using var document = JsonDocument.Parse(exchange.ResponseBody);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return "the problem is not a JSON object";
            if (!root.TryGetProperty("title", out _) && !root.TryGetProperty("type", out _))
                return "the problem has neither title nor type";
            if (root.TryGetProperty("status", out var member) && (member.ValueKind != JsonValueKind.Number || member.GetInt32() != exchange.Status))
                return $"the problem's status {member} is not the response's {exchange.Status}";
            return null;
        }
        catch (JsonException e)
        {
            return $"the problem is not JSON: {e.Message}";
        }
    }

    /// <summary>An id of the other tenant's in the answer that the request did not carry itself (a 404 may echo what it was asked for).</summary>
    public string? SeenForeignId(FuzzExchange exchange, string sent) =>
        HostileInputs.Uuid().Matches(exchange.ResponseBody).Select(m => m.Value)
            .FirstOrDefault(id => foreignIds.Contains(id) && !sent.Contains(id, StringComparison.OrdinalIgnoreCase));

    /// <summary>"METHOD /template" of the document's operation for a request, or the request itself when it is not one.</summary>
    public string OperationOf(string method, string path) =>
        target.Contract.Find(method, path.Split('?')[0]) is { } operation ? $"{operation.Method} {operation.Path}" : $"{method} {path.Split('?')[0]}";

    public void Fail(FuzzFailure failure) => Failures.Enqueue(failure);

    OpenApiContract.Operation? Operation(string name) =>
        target.Contract.Operations.FirstOrDefault(o => $"{o.Method} {o.Path}" == name);

    static int? Listed(FuzzExchange exchange)
    {
        try
        {
            using var document = JsonDocument.Parse(exchange.ResponseBody);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return root.GetArrayLength();
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
                ? items.GetArrayLength()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The lines of a fingerprint that differ, by their "name:" (a table of <see cref="TenantFingerprint"/>, with its row
    /// counts before and after); a fingerprint of another shape is compared line by line.
    /// </summary>
    static string Changed(string before, string after)
    {
        static Dictionary<string, string> Lines(string fingerprint) => fingerprint
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select((line, index) => line.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon
                ? (Key: line[..colon], Value: line[(colon + 2)..])
                : (Key: $"line {index + 1}", Value: line))
            .GroupBy(line => line.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(l => l.Value)), StringComparer.Ordinal);
        static string Shown(string? value) => value is null ? "(none)"
            : value.EndsWith(" rows", StringComparison.Ordinal) || value.Split(' ') is [_, "rows", _] ? value.Split(' ')[0] + " rows"
            : value.Length <= 60 ? value : value[..60] + "…";
        var old = Lines(before);
        var now = Lines(after);
        return string.Join(", ", old.Keys.Union(now.Keys, StringComparer.Ordinal)
            .Where(key => old.GetValueOrDefault(key) != now.GetValueOrDefault(key))
            .Select(key => $"{key} {Shown(old.GetValueOrDefault(key))} → {Shown(now.GetValueOrDefault(key))}"));
    }
}

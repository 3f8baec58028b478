using System.Net.Http.Headers;

namespace GrowthOps.Testing.OpenApi;

/// <summary>
/// An HttpClient handler that holds every call a test makes to its service's OpenAPI document: each response (status, media
/// type, body schema) and the body of each request the service accepted (2xx) must be what the document says, or the call
/// throws <see cref="OpenApiViolationException"/>. So the document cannot drift from the code without a test failing.
/// Paths the document leaves out on purpose (health checks, the document itself) pass unchecked.
/// </summary>
public sealed class ConformingToTheDocument(Func<Task<OpenApiContract>> contract) : DelegatingHandler
{
    static readonly string[] Unchecked = ["/health/", "/openapi/"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var requestBody = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var requestType = request.Content?.Headers.ContentType?.MediaType;
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        if (Unchecked.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
            return response;

        var document = await contract();
        var operation = document.Find(request.Method.Method, path)
                        ?? throw new OpenApiViolationException($"{request.Method} {path} is not an operation of the document.");
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
        var violations = document.CheckResponse(operation, (int)response.StatusCode, MediaType(response.Content.Headers.ContentType), responseBody).ToList();
        if (response.IsSuccessStatusCode)
            violations.AddRange(document.CheckRequest(operation, requestType, requestBody));
        if (violations.Count > 0)
            throw new OpenApiViolationException(
                $"{request.Method} {path} → {(int)response.StatusCode} does not match {operation.Method} {operation.Path} in the document:\n  "
                + string.Join("\n  ", violations) + $"\nResponse body: {Truncate(responseBody)}");
        return response;
    }

    static string? MediaType(MediaTypeHeaderValue? header) => header?.MediaType;

    static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}

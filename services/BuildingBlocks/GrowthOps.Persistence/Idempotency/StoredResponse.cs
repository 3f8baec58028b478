namespace GrowthOps.Persistence.Idempotency;

/// <summary>
/// The first response to a key, and what it answered: <see cref="Request"/> is <c>"&lt;method&gt; &lt;path and query&gt;"</c>,
/// <see cref="RequestHash"/> the SHA-256 of the request body.
/// </summary>
public sealed record StoredResponse(string Request, byte[] RequestHash, int Status, string? ContentType, string? Location, byte[] Body)
{
    public bool Answers(string request, byte[] requestHash) =>
        string.Equals(Request, request, StringComparison.Ordinal) && RequestHash.AsSpan().SequenceEqual(requestHash);
}

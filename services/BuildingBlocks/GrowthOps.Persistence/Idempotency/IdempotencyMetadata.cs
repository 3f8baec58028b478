namespace GrowthOps.Persistence.Idempotency;

/// <summary>
/// Endpoint metadata of an endpoint that honours <see cref="IdempotencyHeaders.Key"/> (added by <c>WithIdempotency</c>), so
/// API descriptions can show the optional header and its 400/409/422 answers.
/// </summary>
public sealed class IdempotencyMetadata
{
    public static readonly IdempotencyMetadata Instance = new();

    IdempotencyMetadata()
    {
    }

    public string HeaderName => IdempotencyHeaders.Key;

    public string Description =>
        "Optional. A unique key (1-255 printable ASCII characters) that makes a retry of this request safe: the first response " +
        "is stored with its effects and sent again, with Idempotent-Replayed: true, to a retry with the same key. The same key " +
        "with a different request is refused with 422, and a retry while the first is still running with 409. Keys are kept 24 h by default.";
}

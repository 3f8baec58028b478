namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// One request the fuzzer sends: exactly what goes on the wire (the path is sent as written, dot segments and escapes
/// included), what kind of hostility it carries and what the service must do with it beyond the properties every request
/// is held to (no 5xx, errors are problems, a refused request writes nothing, no other tenant's data).
/// </summary>
public sealed record HostileRequest
{
    /// <summary>Stable for a seed and a document: <c>GROWTHOPS_FUZZ_CASE</c> runs only the cases whose id contains it.</summary>
    public required string Id { get; init; }

    /// <summary>The family and variant, e.g. <c>string.nul</c>, <c>path.dot-segment</c>, <c>token.expired</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The operation aimed at, as "METHOD /template".</summary>
    public required string Operation { get; init; }

    public required string Method { get; init; }

    /// <summary>Path and query exactly as sent.</summary>
    public required string Target { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header sent with the body, verbatim; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>Whom the request is sent as: the tenant under attack, or nobody (no token, a broken one, a webhook).</summary>
    public bool AsTenant { get; init; }

    public Expectation Expect { get; init; } = Expectation.NoServerError;

    /// <summary>For <see cref="Expectation.Refused"/> of a bad value: the member or parameter a 400 must name.</summary>
    public string? Field { get; init; }

    /// <summary>Whether a body that the document refuses was sent on purpose (then accepting it is a defect, see <see cref="FuzzCheck.AcceptedOffContract"/>).</summary>
    public bool BodyOffContract { get; init; }

    /// <summary>What is hostile about it, for the report ("first_name = \"a\\u0000b\"").</summary>
    public required string Description { get; init; }

    /// <summary>What the service must answer, beyond what every request is held to.</summary>
    public enum Expectation
    {
        /// <summary>Any answer below 500 (the value may be acceptable).</summary>
        NoServerError,

        /// <summary>Refused: a 4xx.</summary>
        Refused,

        /// <summary>401 or 403: no token, a bad token, no tenant.</summary>
        Unauthorized,

        /// <summary>405: a method the path does not have.</summary>
        MethodNotAllowed,

        /// <summary>A 4xx, or a 2xx listing nothing (a filter that matches nothing of the caller's).</summary>
        EmptyOrRefused,
    }
}

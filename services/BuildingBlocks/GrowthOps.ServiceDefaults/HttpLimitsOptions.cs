using System.ComponentModel.DataAnnotations;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// Request limits, each answered with a problem (413, 414, 431). Endpoints that take larger bodies (batch imports) raise theirs
/// with <c>WithRequestSizeLimit</c>. Kestrel's own limits (<c>Kestrel*</c>) sit well above these, so that a request over them
/// still reaches the middleware that answers with a problem; only one past Kestrel's gets its bare answer.
/// </summary>
public sealed class HttpLimitsOptions
{
    public const string Section = "Http";

    [Range(1024, 512L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Path and query as sent (414 above). Kestrel's default for the whole request line.</summary>
    [Range(256, 64 * 1024)]
    public int MaxRequestTargetBytes { get; set; } = 8 * 1024;

    /// <summary>All header names and values (431 above). Kestrel's default.</summary>
    [Range(1024, 64 * 1024)]
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>Header fields (431 above). Kestrel's default.</summary>
    [Range(10, 1000)]
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Kestrel's limit for the request line: 256 KiB, or twice <see cref="MaxRequestTargetBytes"/> if more.</summary>
    public int KestrelRequestLineBytes => Math.Max(256 * 1024, 2 * MaxRequestTargetBytes);

    /// <summary>Kestrel's limit for all headers: 256 KiB, or twice <see cref="MaxRequestHeadersBytes"/> if more.</summary>
    public int KestrelRequestHeadersBytes => Math.Max(256 * 1024, 2 * MaxRequestHeadersBytes);

    /// <summary>Kestrel's limit for header fields: 1,000, or twice <see cref="MaxRequestHeaderCount"/> if more.</summary>
    public int KestrelRequestHeaderCount => Math.Max(1000, 2 * MaxRequestHeaderCount);
}

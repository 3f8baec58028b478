using System.ComponentModel.DataAnnotations;

namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// Calls to tenant-supplied URLs (section <c>Outbound</c>). The two switches are for development and tests only: the service
/// refuses to start in Production with either on.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>Allow <c>http</c> URLs as well as <c>https</c> (local receivers, WireMock).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow loopback addresses (127.0.0.0/8, ::1, <c>localhost</c>): a test's fake receiver on this machine.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Most bytes read from one response body; reading past them throws.</summary>
    [Range(1, 1L << 30)]
    public long MaxResponseBytes { get; set; } = 1 << 20;

    /// <summary>One exchange from the first connection to the last byte of the body, redirects included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed (each target checked again); after that the redirect itself is the response.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 3;
}

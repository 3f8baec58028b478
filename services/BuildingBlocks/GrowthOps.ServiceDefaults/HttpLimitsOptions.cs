using System.ComponentModel.DataAnnotations;

namespace GrowthOps.ServiceDefaults;

/// <summary>Request limits. Endpoints that take larger bodies (batch imports) raise theirs with <c>WithRequestSizeLimit</c>.</summary>
public sealed class HttpLimitsOptions
{
    public const string Section = "Http";

    [Range(1024, 512L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;
}

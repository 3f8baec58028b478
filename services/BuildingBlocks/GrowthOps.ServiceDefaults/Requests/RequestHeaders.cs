using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// Limits and characters of request headers. A value outside printable ASCII (RFC 9110 field values; obsolete octets and control
/// characters) cannot be forwarded — HttpClient, and so YARP, refuses it, which answered 502 — and no service has a use for one.
/// </summary>
public static class RequestHeaders
{
    public const string InvalidReason = "must be printable ASCII: no control characters and nothing outside ASCII (percent-encode such text)";

    // Horizontal tab and the visible ASCII characters with space.
    static readonly SearchValues<char> FieldValueChars = SearchValues.Create("\t" + string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c)));

    /// <summary>Throws <see cref="MalformedRequestException"/>: 431 over the count or size limit, 400 naming a header with a bad value.</summary>
    public static void Check(IHeaderDictionary headers, HttpLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(limits);
        var count = 0;
        long bytes = 0;
        string? invalid = null;
        foreach (var (name, values) in headers)
            foreach (var value in values)
            {
                count++;
                // As on the wire: "name: value" and CRLF.
                bytes += name.Length + (value?.Length ?? 0) + 4;
                if (invalid is null && value.AsSpan().ContainsAnyExcept(FieldValueChars))
                    invalid = name;
            }

        if (count > limits.MaxRequestHeaderCount)
            throw new MalformedRequestException("Request headers too large",
                $"The request has {count} header fields; at most {limits.MaxRequestHeaderCount} are accepted.", StatusCodes.Status431RequestHeaderFieldsTooLarge);
        if (bytes > limits.MaxRequestHeadersBytes)
            throw new MalformedRequestException("Request headers too large",
                $"The request headers take {bytes} bytes; at most {limits.MaxRequestHeadersBytes} are accepted.", StatusCodes.Status431RequestHeaderFieldsTooLarge);
        if (invalid is not null)
            throw MalformedRequestException.ForField("Invalid header", invalid, InvalidReason);
    }
}

using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// Checks of the request target as the client sent it (<c>IHttpRequestFeature.RawTarget</c>). Kestrel resolves dot segments
/// before routing (<c>/contacts/7/tags/..</c> is <c>/contacts/7</c>: a tag delete becomes a contact delete) and YARP forwards
/// the resolved path, so a trick is only visible in the raw target, and is refused there rather than resolved.
/// </summary>
public static class RequestTarget
{
    public const string DotSegmentReason = "has a '.' or '..' segment (plain or percent-encoded), which is refused rather than resolved";

    public const string SeparatorReason = "has an encoded '/' or a '\\' inside a segment";

    public const string ControlReason = "has a control character (such as NUL) in a segment";

    public const string InvalidReason = "has a segment that is not valid UTF-8";

    /// <summary>The target (path and query) as the client sent it; rebuilt from the request where a test server leaves it empty.</summary>
    public static string AsSent(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
    }

    /// <summary>The path of a raw target: <c>/a/b?q</c> (origin form) or <c>http://host/a/b?q</c> (absolute form); empty for <c>*</c>.</summary>
    public static ReadOnlySpan<char> PathOf(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var target = rawTarget.AsSpan();
        if (target is not ['/', ..])
        {
            var authority = target.IndexOf("://", StringComparison.Ordinal);
            if (authority < 0)
                return [];
            target = target[(authority + 3)..];
            var slash = target.IndexOf('/');
            target = slash < 0 ? [] : target[slash..];
        }

        var query = target.IndexOfAny('?', '#');
        return query < 0 ? target : target[..query];
    }

    /// <summary>Why the (still percent-encoded) path is refused, or null.</summary>
    public static string? FindPathTrick(ReadOnlySpan<char> path)
    {
        if (!path.ContainsAny('%', '\\') && !path.Contains("/.", StringComparison.Ordinal))
            return null;

        var size = Utf8Text.MaxDecodedLength(path.Length);
        var buffer = size <= 768 ? stackalloc byte[768] : new byte[size];
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.Contains('\\'))
                return SeparatorReason;
            if (!segment.Contains('%'))
            {
                if (segment is "." or "..")
                    return DotSegmentReason;
                continue;
            }

            var bytes = buffer[..Utf8Text.Decode(segment, plusIsSpace: false, buffer)];
            if (bytes.ContainsAny((byte)'/', (byte)'\\'))
                return SeparatorReason;
            if (bytes is [(byte)'.'] or [(byte)'.', (byte)'.'])
                return DotSegmentReason;
            if (bytes.ContainsAnyInRange((byte)0, (byte)0x1F) || bytes.Contains((byte)0x7F))
                return ControlReason;
            if (!Utf8.IsValid(bytes))
                return InvalidReason;
        }

        return null;
    }

    /// <summary>
    /// The first query parameter whose name or value is not storable text (<see cref="Utf8Text"/>), named as the endpoint would
    /// bind it, or <c>query</c> when the name itself is unreadable; null when all are fine.
    /// </summary>
    public static (string Field, string Reason)? FindInvalidQuery(ReadOnlySpan<char> query)
    {
        // The server passes only ASCII: nothing but an escape can hide a NUL or a broken UTF-8 sequence.
        if (!query.Contains('%'))
            return null;

        query = query.TrimStart('?');
        var size = Utf8Text.MaxDecodedLength(query.Length);
        var buffer = size <= 768 ? stackalloc byte[768] : new byte[size];
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            var decodedName = buffer[..Utf8Text.Decode(name, plusIsSpace: true, buffer)];
            if (Utf8Text.Check(decodedName) is { } nameReason)
                return ("query", $"has a parameter name that {nameReason}");
            if (!value.Contains('%'))
                continue;

            if (Utf8Text.Check(buffer[..Utf8Text.Decode(value, plusIsSpace: true, buffer)]) is { } valueReason)
                return (Encoding.UTF8.GetString(buffer[..Utf8Text.Decode(name, plusIsSpace: true, buffer)]), valueReason);
        }

        return null;
    }
}

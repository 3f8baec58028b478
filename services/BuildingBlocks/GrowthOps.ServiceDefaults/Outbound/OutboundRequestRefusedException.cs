namespace GrowthOps.ServiceDefaults.Outbound;

/// <summary>
/// A call to a tenant-supplied URL the outbound policy does not allow: the URL, an address it resolves to, a redirect, or a
/// response over the size cap. Not an <see cref="HttpRequestException"/> on purpose: resilience pipelines retry those, and
/// asking again gets the same refusal.
/// </summary>
public sealed class OutboundRequestRefusedException : Exception
{
    public OutboundRequestRefusedException()
    {
    }

    public OutboundRequestRefusedException(string message) : base(message)
    {
    }

    public OutboundRequestRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

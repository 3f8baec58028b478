namespace GrowthOps.Messaging;

/// <summary>How the relay and the scheduler record a row they could not send, and when they try it again.</summary>
static class DeliveryErrors
{
    const int MaxErrorLength = 4000;

    public static string Describe(Exception e)
    {
        var text = $"{e.GetType().FullName}: {e.Message}";
        if (e.InnerException is { } inner)
            text += $" ---> {inner.GetType().FullName}: {inner.Message}";
        return text.Length > MaxErrorLength ? text[..MaxErrorLength] : text;
    }

    /// <summary>Exponential backoff after the <paramref name="attempt"/>-th failure (1-based).</summary>
    public static TimeSpan Backoff(int attempt, MessagingOptions options)
    {
        var ticks = options.DeliveryRetryMinInterval.Ticks * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(ticks, options.DeliveryRetryMaxInterval.Ticks));
    }
}

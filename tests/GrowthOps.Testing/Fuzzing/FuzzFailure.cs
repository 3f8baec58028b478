namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// One broken property: which, for which kind of input on which operation ("METHOD /template"), on which hostile request
/// (null for a valid request sent alongside), with what was sent and answered.
/// </summary>
public sealed record FuzzFailure(FuzzCheck Check, string Kind, string Operation, HostileRequest? Request, FuzzExchange Exchange, string Detail)
{
    /// <summary>Failures of one class share a key: the property, the kind of input and the status (on one or more operations).</summary>
    public string Class =>
        $"{Check} · {Kind} · {Exchange.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"}";
}

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>The Email service with every sending domain held to <see cref="DomainRate"/> emails per second.</summary>
public sealed class ThrottledEmailApp : EmailApp
{
    public const int DomainRate = 20;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Sending:DomainRatePerSecond"] = DomainRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>The configuration that points a test host at its own database and virtual host.</summary>
public static class TestHostSettings
{
    public static Dictionary<string, string?> For(TestDatabase database, TestVirtualHost vhost, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ServiceConnectionString,
            ["RabbitMq:Host"] = TestEnvironment.RabbitHost,
            ["RabbitMq:Port"] = TestEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = vhost.Name,
            ["RabbitMq:Username"] = TestEnvironment.RabbitUser,
            ["RabbitMq:Password"] = TestEnvironment.RabbitPassword,
            ["Auth:SigningKey"] = TestEnvironment.SigningKey,
            ["Messaging:ImmediateRetries"] = "2",
            ["Messaging:RedeliveryIntervals:0"] = "00:00:00.300",
            ["Messaging:RedeliveryIntervals:1"] = "00:00:00.600",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            settings[key] = value;
        return settings;
    }
}

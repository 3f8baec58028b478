using System.Globalization;

namespace GrowthOps.Testing;

/// <summary>The configuration that points a service under test at its own database and virtual host, with the test signing key.</summary>
public static class ServiceSettings
{
    public static Dictionary<string, string?> For(TestDatabase database, TestVirtualHost vhost) => new()
    {
        ["ConnectionStrings:Postgres"] = database.ServiceConnectionString,
        ["RabbitMq:Host"] = TestEnvironment.RabbitHost,
        ["RabbitMq:Port"] = TestEnvironment.RabbitPort.ToString(CultureInfo.InvariantCulture),
        ["RabbitMq:VirtualHost"] = vhost.Name,
        ["RabbitMq:Username"] = TestEnvironment.RabbitUser,
        ["RabbitMq:Password"] = TestEnvironment.RabbitPassword,
        ["Auth:SigningKey"] = TestEnvironment.SigningKey,
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

namespace GrowthOps.Bench.Infrastructure;

/// <summary>Where the real PostgreSQL and RabbitMQ are; <c>./growthops bench</c> exports these (same variables as the tests).</summary>
public static class BenchEnvironment
{
    public static string PostgresAdmin => Get("GROWTHOPS_PG_ADMIN", "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres");
    public static string RabbitHost => Get("GROWTHOPS_RABBIT_HOST", "127.0.0.1");
    public static ushort RabbitPort => ushort.Parse(Get("GROWTHOPS_RABBIT_PORT", "5672"), System.Globalization.CultureInfo.InvariantCulture);
    public static string RabbitManagement => Get("GROWTHOPS_RABBIT_MGMT", "http://127.0.0.1:15672");
    public static string RabbitUser => Get("GROWTHOPS_RABBIT_USER", "guest");
    public static string RabbitPassword => Get("GROWTHOPS_RABBIT_PASS", "guest");
    public static string SmtpHost => Get("GROWTHOPS_SMTP_HOST", "127.0.0.1");
    public static int SmtpPort => int.Parse(Get("GROWTHOPS_SMTP_PORT", "2525"), System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>smtp4dev's REST API (what arrived), as for the tests.</summary>
    public static string SmtpApi => Get("GROWTHOPS_SMTP_API", "http://127.0.0.1:5580");

    static string Get(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}

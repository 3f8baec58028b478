using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Persistence;

/// <summary>Where a service's schema lives. Each service has its own connection string so schemas can move to separate servers.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>The service's schema; its role owns it and may use nothing else.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string Schema { get; set; } = "";

    /// <summary>Apply the numbered migration scripts at start-up (under an advisory lock, so replicas may start together).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// Optional superuser connection string: when set, the service creates its database, role and schema before migrating.
    /// For local development and tests; production provisions roles outside the service.
    /// </summary>
    public string? AdminConnectionString { get; set; }
}

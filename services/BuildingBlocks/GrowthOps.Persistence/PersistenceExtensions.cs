using System.Reflection;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace GrowthOps.Persistence;

public static class PersistenceExtensions
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>
    /// The service's PostgreSQL: a data source on <c>ConnectionStrings:Postgres</c>, the tenant-scoped <see cref="UnitOfWork"/>,
    /// start-up migration of <paramref name="schema"/> from the scripts embedded in <paramref name="migrationsAssembly"/>
    /// (its <c>Data/Migrations/*.sql</c>), the readiness check, and <c>Idempotency-Key</c> support for endpoints that opt in
    /// with <see cref="IdempotencyExtensions.WithIdempotency{TBuilder}"/>.
    /// </summary>
    public static TBuilder AddPostgres<TBuilder>(this TBuilder builder, string schema, Assembly migrationsAssembly)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.Section)
            .PostConfigure(o => o.Schema = schema)
            .ValidateDataAnnotations().ValidateOnStart();

        // Read when first resolved, so hosts and test factories can still override configuration after this call.
        builder.Services.AddSingleton(sp =>
        {
            var csb = new NpgsqlConnectionStringBuilder(GetConnectionString(sp.GetRequiredService<IConfiguration>()));
            csb.ApplicationName ??= $"growthops-{schema}";
            // The tenant is transaction-local (set_config(..., true)), so a pooled connection carries no session state
            // worth a DISCARD ALL on every reuse; and the same few statements run all day, so prepare them. (A statement that
            // fails in PostgreSQL can corrupt Npgsql's record of what is prepared: UnitOfWork.RollbackAsync(cause) resets it.)
            csb.NoResetOnClose = true;
            if (csb.MaxAutoPrepare == 0)
                csb.MaxAutoPrepare = 64;
            return new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
        });
        builder.Services.AddScoped<UnitOfWork>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton(new MigrationSource(typeof(PersistenceExtensions).Assembly, -100));
        builder.Services.AddSingleton(new MigrationSource(migrationsAssembly, 100));

        // Registered before the bus so the schema (and the messaging tables) exist when consumers start.
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddIdempotency();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [Extensions.ReadyTag]);
        return builder;
    }

    public static string GetConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName)
        ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not set.");
}

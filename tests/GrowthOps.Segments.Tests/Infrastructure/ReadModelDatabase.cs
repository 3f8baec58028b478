using System.Text.Json;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.ReadModel;
using GrowthOps.ServiceDefaults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// A database of its own with the Segments schema migrated as the service migrates it (building blocks first), reached
/// through the service's role, so row-level security applies. Writes read-model rows directly, as the consumers will.
/// </summary>
public sealed class ReadModelDatabase : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("segments");
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(Database.ServiceConnectionString, "segments",
        [
            new MigrationSource(typeof(UnitOfWork).Assembly, -100),
            new MigrationSource(typeof(GrowthOps.Messaging.MessagingOptions).Assembly, -50),
            new MigrationSource(typeof(Extensions).Assembly, 100),
        ]);
        DataSource = NpgsqlDataSource.Create(Database.ServiceConnectionString);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Runs <paramref name="work"/> in one transaction of <paramref name="tenantId"/> with a store whose clock is <paramref name="now"/>.</summary>
    public async Task<T> InTenantAsync<T>(Guid tenantId, DateTimeOffset now, Func<ContactFactsStore, UnitOfWork, Task<T>> work)
    {
        await using var unitOfWork = new UnitOfWork(DataSource, new CurrentTenant());
        await unitOfWork.BeginAsync(tenantId);
        var store = new ContactFactsStore(unitOfWork, new FakeTimeProvider(now), Options.Create(new SegmentsOptions()));
        var result = await work(store, unitOfWork);
        await unitOfWork.CommitAsync();
        return result;
    }

    /// <summary>
    /// Applies one of Leads' messages in a transaction of its own, as its consumer does behind the inbox (but without the
    /// inbox, so a message applied twice reaches the read model twice).
    /// </summary>
    public async Task ApplyAsync(Guid tenantId, object message, RecordedContactChanges? changes = null, SegmentsOptions? options = null)
    {
        await using var unitOfWork = new UnitOfWork(DataSource, new CurrentTenant());
        await unitOfWork.BeginAsync(tenantId);
        try
        {
            var store = new ReadModelStore(unitOfWork);
            var updater = new ReadModelUpdater(unitOfWork, store, new PropensityStore(unitOfWork),
                new RecordingContactChangeObserver(unitOfWork, changes ?? new RecordedContactChanges()));
            var rebuilder = new ReadModelRebuilder(store, new RebuildsStore(unitOfWork), updater, Options.Create(options ?? new SegmentsOptions()));
            await ReadModelMessages.ApplyAsync(message, updater, rebuilder);
            await unitOfWork.CommitAsync();
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    /// <summary>Writes contacts with their activity totals and activities, in one round trip.</summary>
    public Task InsertAsync(Guid tenantId, IReadOnlyList<ContactFacts> contacts) => InTenantAsync(tenantId, DateTimeOffset.UtcNow, async (_, unitOfWork) =>
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction);
        foreach (var c in contacts)
        {
            batch.BatchCommands.Add(Command("""
                insert into segments.contacts (tenant_id, id, version, email, kind, first_name, last_name, phone, company, source, channel, owner_id,
                  timezone, score, ai_score, marketing_consent, consent_at, email_verified, attributes, tags, lead_state, state_entered_at,
                  last_interaction_at, purchase_count, created_at, updated_at, predicted_conversion)
                values (segments.current_tenant(), $1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19, $20,
                  $21, $22, $23, $24, $25)
                """, c.Id, c.Email, c.Kind, c.FirstName, c.LastName, c.Phone, c.Company, c.Source, c.Channel, c.OwnerId, c.Timezone, c.Score,
                c.AiScore, c.MarketingConsent, c.ConsentAt, c.EmailVerified, JsonSerializer.Serialize(c.Attributes), c.Tags.ToArray(), c.LeadState,
                c.StateEnteredAt, c.LastInteractionAt, c.PurchaseCount, c.CreatedAt, c.UpdatedAt, c.PredictedConversion));
            foreach (var (type, t) in c.ActivityTotals)
                batch.BatchCommands.Add(Command("""
                    insert into segments.contact_activity (tenant_id, contact_id, type, count, first_at, last_at)
                    values (segments.current_tenant(), $1, $2, $3, $4, $5)
                    """, c.Id, type, t.Count, t.FirstAt, t.LastAt));
            foreach (var a in c.Activities)
                batch.BatchCommands.Add(Command("""
                    insert into segments.activities (tenant_id, id, contact_id, type, occurred_at, metadata)
                    values (segments.current_tenant(), $1, $2, $3, $4, $5::jsonb)
                    """, a.Id, c.Id, a.Type, a.OccurredAt, JsonSerializer.Serialize(a.Metadata)));
        }

        await batch.ExecuteNonQueryAsync();
        return true;
    });

    static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value switch
            {
                null => DBNull.Value,
                DateTimeOffset d => d.ToUniversalTime(),
                _ => value,
            } });
        return command;
    }
}

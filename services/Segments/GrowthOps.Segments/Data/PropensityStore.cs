using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Predictive;

namespace GrowthOps.Segments.Data;

/// <summary>
/// The tenant's propensity model and the <c>predicted_conversion</c> it gives contacts, in the current unit of work. Every
/// prediction is the SQL of <see cref="PropensityFeatures"/>, for one contact after an event as for all after a training,
/// so a contact's value does not depend on which path wrote it.
/// </summary>
public sealed class PropensityStore(UnitOfWork unitOfWork)
{
    /// <summary>A class, not a positional record: Dapper maps arrays to properties only.</summary>
    public sealed class TrainingRow
    {
        public Guid Id { get; init; }
        public bool Won { get; init; }
        public double[] Features { get; init; } = [];
    }

    public Task<PropensityModel?> GetAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<PropensityModel>(unitOfWork.Command("""
            select status, features, weights, won, lost, training_contacts, held_out_contacts, auc, reason, trained_at
              from segments.propensity_models where tenant_id = segments.current_tenant()
            """, null, ct));

    /// <summary>The tenant's won and lost contacts now.</summary>
    public async Task<(int Won, int Lost)> OutcomeCountsAsync(CancellationToken ct)
    {
        var counts = await unitOfWork.Connection.QuerySingleAsync<(int, int)>(unitOfWork.Command($"""
            select count(*) filter (where lower(c.lead_state) = '{PropensityFeatures.Won}')::int,
                   count(*) filter (where lower(c.lead_state) = '{PropensityFeatures.Lost}')::int
              from segments.contacts c where c.tenant_id = segments.current_tenant() and not c.deleted and {PropensityFeatures.IsOutcome}
            """, null, ct));
        return counts;
    }

    /// <summary>The activity types the most won or lost contacts have done, most first.</summary>
    public async Task<IReadOnlyList<string>> TopActivityTypesAsync(int count, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<string>(unitOfWork.Command($"""
            select t.type from segments.contact_activity t
              join segments.contacts c on c.tenant_id = t.tenant_id and c.id = t.contact_id
             where t.tenant_id = segments.current_tenant() and not c.deleted and {PropensityFeatures.IsOutcome}
             group by t.type order by count(*) desc, t.type limit @count
            """, new { count }, ct))).ToList();

    /// <summary>The latest won and lost contacts (at most <paramref name="limit"/>) with their features.</summary>
    public async Task<IReadOnlyList<TrainingRow>> TrainingSetAsync(IReadOnlyList<string> features, int limit, CancellationToken ct)
    {
        var parameters = new DynamicParameters(new { limit });
        var (joins, expressions) = PropensityFeatures.Sql(features, parameters);
        return (await unitOfWork.Connection.QueryAsync<TrainingRow>(unitOfWork.Command($"""
            select c.id, lower(c.lead_state) = '{PropensityFeatures.Won}' as won, array[{string.Join(", ", expressions)}]::float8[] as features
              from segments.contacts c
            {joins}
             where c.tenant_id = segments.current_tenant() and not c.deleted and {PropensityFeatures.IsOutcome}
             order by c.state_entered_at desc nulls last, c.id
             limit @limit
            """, parameters, ct))).ToList();
    }

    /// <summary>Stores the model as trained now (the database's clock), which <see cref="PropensityModel.TrainedAt"/> takes.</summary>
    public async Task SaveAsync(PropensityModel m, CancellationToken ct) =>
        m.TrainedAt = await unitOfWork.Connection.QuerySingleAsync<DateTime>(unitOfWork.Command("""
            insert into segments.propensity_models (tenant_id, status, features, weights, won, lost, training_contacts, held_out_contacts, auc, reason, trained_at)
            values (segments.current_tenant(), @Status, @Features, @Weights, @Won, @Lost, @TrainingContacts, @HeldOutContacts, @Auc, @Reason, now())
            on conflict (tenant_id) do update set status = excluded.status, features = excluded.features, weights = excluded.weights,
              won = excluded.won, lost = excluded.lost, training_contacts = excluded.training_contacts,
              held_out_contacts = excluded.held_out_contacts, auc = excluded.auc, reason = excluded.reason, trained_at = excluded.trained_at
            returning trained_at
            """, m, ct));

    /// <summary>Re-predicts these contacts with the tenant's model (nothing to do without a trained one).</summary>
    public async Task PredictAsync(IReadOnlyList<Guid> contactIds, CancellationToken ct)
    {
        if (await GetAsync(ct) is { Status: PropensityModel.Trained } model)
            await PredictAsync(model, contactIds, ct);
    }

    /// <summary>
    /// Every contact of the tenant in one statement (or only <paramref name="contactIds"/>): the model's prediction, or null
    /// when it has none. Returns how many values changed.
    /// </summary>
    public async Task<int> PredictAsync(PropensityModel model, IReadOnlyList<Guid>? contactIds, CancellationToken ct)
    {
        var only = contactIds is null ? "" : "and c.id = any(@ids)";
        if (model is not { Status: PropensityModel.Trained, Weights: { } weights })
            return await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command($"""
                update segments.contacts c set predicted_conversion = null
                 where c.tenant_id = segments.current_tenant() and c.predicted_conversion is not null {only}
                """, new { ids = contactIds?.ToArray() }, ct));

        var parameters = new DynamicParameters(new { pf_w = weights, ids = contactIds?.ToArray() });
        var (joins, expressions) = PropensityFeatures.Sql(model.Features, parameters);
        // Rows are locked in id order, as rebuild pages lock them, so a training and a page never wait for each other in a cycle.
        return await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command($"""
            with p as (
              select c.id, {PropensityFeatures.Prediction(expressions)} as value
                from segments.contacts c
              {joins}
               where c.tenant_id = segments.current_tenant() and not c.deleted {only}
               order by c.id
                 for update of c)
            update segments.contacts u set predicted_conversion = p.value
              from p
             where u.tenant_id = segments.current_tenant() and u.id = p.id and u.predicted_conversion is distinct from p.value
            """, parameters, ct));
    }
}

using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>
/// The AI score's data: the tenant's won/lost contacts as training samples, its model, and re-scoring. The features and the
/// score itself are computed by the database (<c>Data/Migrations/0008_contact_version_and_ai_score.sql</c>), so live scoring
/// and training read them from one definition.
/// </summary>
public sealed class ScoringStore(UnitOfWork unitOfWork)
{
    // Classes with setters: Dapper binds array columns to properties, not to constructor parameters.
    public sealed class TrainingRow
    {
        public Guid Id { get; set; }
        public bool Won { get; set; }
        public double[] Features { get; set; } = [];
    }

    public sealed class Defaults
    {
        public double[] Weights { get; set; } = [];
        public string[] FeatureNames { get; set; } = [];
    }

    /// <summary>
    /// Contacts now in won or lost (the states so named, as the stats count them), the latest outcomes first, with their
    /// features as they were when the outcome was reached: engagement from the activities before it, decayed to it.
    /// </summary>
    public async Task<IReadOnlyList<TrainingRow>> TrainingSetAsync(int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<TrainingRow>(unitOfWork.Command("""
            select c.id, lower(s.name) = 'won' as won,
                   leads.score_features(c.email, c.phone, c.company, c.source, c.channel, c.attributes, coalesce(a.engagement, 0), coalesce(a.n, 0)) as features
            from leads.contacts c
            join leads.lead_states s on s.tenant_id = c.tenant_id and s.id = c.state_id
            left join lateral (
              select sum(leads.decay(c.state_entered_at - x.occurred_at)) as engagement, count(*) as n
              from leads.activities x
              where x.tenant_id = c.tenant_id and x.contact_id = c.id and x.occurred_at <= c.state_entered_at) a on true
            where lower(s.name) in ('won', 'lost') and c.state_entered_at is not null
            order by c.state_entered_at desc, c.id
            limit @limit
            """, new { limit }, ct))).ToList();

    public Task<Defaults> DefaultsAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<Defaults>(unitOfWork.Command(
            "select leads.default_score_weights() as weights, leads.score_feature_names() as feature_names", null, ct));

    public Task<ScoringModel?> GetAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<ScoringModel>(unitOfWork.Command("""
            select model, weights, feature_names, calibrated_weights, training_contacts, held_out_contacts, won, lost, auc, default_auc, reason, trained_at
            from leads.scoring_models where tenant_id = leads.current_tenant()
            """, null, ct));

    /// <summary>Stores the model as trained now (the database's clock, as it stores it), which <see cref="ScoringModel.TrainedAt"/> takes.</summary>
    public async Task SaveAsync(ScoringModel m, CancellationToken ct) =>
        m.TrainedAt = await unitOfWork.Connection.QuerySingleAsync<DateTime>(unitOfWork.Command("""
            insert into leads.scoring_models (tenant_id, model, weights, feature_names, calibrated_weights, training_contacts, held_out_contacts, won, lost,
              auc, default_auc, reason, trained_at)
            values (leads.current_tenant(), @Model, @Weights, @FeatureNames, @CalibratedWeights, @TrainingContacts, @HeldOutContacts, @Won, @Lost,
              @Auc, @DefaultAuc, @Reason, now())
            on conflict (tenant_id) do update set model = excluded.model, weights = excluded.weights, feature_names = excluded.feature_names,
              calibrated_weights = excluded.calibrated_weights, training_contacts = excluded.training_contacts,
              held_out_contacts = excluded.held_out_contacts, won = excluded.won, lost = excluded.lost, auc = excluded.auc,
              default_auc = excluded.default_auc, reason = excluded.reason, trained_at = excluded.trained_at
            returning trained_at
            """, m, ct));

    /// <summary>
    /// Re-scores up to <paramref name="limit"/> contacts after <paramref name="afterId"/> (in id order) with the tenant's
    /// current weights and their engagement decayed to now; only those whose score moves are written. Returns their ids, the
    /// last id looked at (null when there were none) and whether the page was full (more may follow).
    /// </summary>
    public async Task<(IReadOnlyList<Guid> Changed, Guid? LastId, bool Full)> RescoreAsync(Guid? afterId, int limit, CancellationToken ct)
    {
        var page = await unitOfWork.Connection.QuerySingleAsync<RescoredPage>(unitOfWork.Command("""
            with page as (
              select c.id from leads.contacts c
              where c.tenant_id = leads.current_tenant() and (@afterId::uuid is null or c.id > @afterId) order by c.id limit @limit),
            scored as (select c.id, c.ai_score as old, leads.contact_ai_score(c) as score from leads.contacts c join page p on p.id = c.id),
            changed as (
              update leads.contacts c set ai_score = s.score, updated = now() from scored s
              where c.id = s.id and s.old is distinct from s.score returning c.id)
            select coalesce((select array_agg(id) from changed), '{}') as changed, (select id from page order by id desc limit 1) as last_id,
                   (select count(*) from page) as scanned
            """, new { afterId, limit }, ct));
        return (page.Changed, page.LastId, page.Scanned == limit);
    }

    sealed class RescoredPage
    {
        public Guid[] Changed { get; set; } = [];
        public Guid? LastId { get; set; }
        public long Scanned { get; set; }
    }
}

using System.Text.Json;
using Dapper;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;
using Npgsql;

namespace GrowthOps.Leads.Data;

/// <summary>Next-state predictions (<c>leads.lead_state_predictions</c>) and the inputs the model reads.</summary>
public sealed class PredictionsStore(UnitOfWork unitOfWork)
{
    /// <summary>As in the API, so the stored JSON reads the same as the responses.</summary>
    static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    const string Select = """
        select p.id, p.contact_id, p.from_state_id, f.name as from_state, p.predicted_state_id, t.name as predicted_state,
               p.probabilities::text as probabilities_json, p.confidence, p.features::text as features_json, p.model, p.created, p.expires_at,
               p.outcome_state_id, o.name as outcome_state, p.outcome_at, p.correct
        """;

    const string JoinStates = """
        left join leads.lead_states f on f.tenant_id = p.tenant_id and f.id = p.from_state_id
        left join leads.lead_states t on t.tenant_id = p.tenant_id and t.id = p.predicted_state_id
        left join leads.lead_states o on o.tenant_id = p.tenant_id and o.id = p.outcome_state_id
        """;

    sealed record Row(
        Guid Id, Guid ContactId, Guid FromStateId, string? FromState, Guid PredictedStateId, string? PredictedState, string ProbabilitiesJson,
        double Confidence, string FeaturesJson, string Model, DateTime Created, DateTime ExpiresAt, Guid? OutcomeStateId, string? OutcomeState,
        DateTime? OutcomeAt, bool? Correct)
    {
        public StoredPrediction ToPrediction() => new(Id, ContactId, FromStateId, FromState, PredictedStateId, PredictedState,
            JsonSerializer.Deserialize<List<PredictionProbability>>(ProbabilitiesJson, StoredJson) ?? [], Confidence,
            JsonSerializer.Deserialize<PredictionFeatures>(FeaturesJson, StoredJson)!, Model, Created, ExpiresAt, OutcomeStateId, OutcomeState,
            OutcomeAt, Correct);
    }

    /// <summary>
    /// The contact's latest prediction when it still stands: unexpired, unresolved and made from the state the contact is in.
    /// Only the latest counts — an older one is superseded even if it would still qualify.
    /// </summary>
    public async Task<StoredPrediction?> FindStandingAsync(Guid contactId, Guid stateId, DateTime now, CancellationToken ct)
    {
        var row = await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command($"""
            {Select}
            from (select * from leads.lead_state_predictions where contact_id = @contactId order by created desc, id desc limit 1) p
            {JoinStates}
            where p.outcome_at is null and p.from_state_id = @stateId and p.expires_at > @now
            """, new { contactId, stateId, now }, ct));
        return row?.ToPrediction();
    }

    public Task InsertAsync(StoredPrediction p, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.lead_state_predictions (tenant_id, id, contact_id, from_state_id, predicted_state_id, probabilities, confidence, features,
              model, created, expires_at)
            values (leads.current_tenant(), @Id, @ContactId, @FromStateId, @PredictedStateId, @Probabilities::jsonb, @Confidence, @Features::jsonb,
              @Model, @Created, @ExpiresAt)
            """, new
        {
            p.Id, p.ContactId, p.FromStateId, p.PredictedStateId, Probabilities = JsonSerializer.Serialize(p.Probabilities, StoredJson), p.Confidence,
            Features = JsonSerializer.Serialize(p.Features, StoredJson), p.Model, p.Created, p.ExpiresAt,
        }, ct));

    /// <summary>Newest first, by keyset cursor.</summary>
    public async Task<Page<StoredPrediction>> ListAsync(Guid contactId, PageRequest page, CancellationToken ct)
    {
        var after = page.After;
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command($"""
            {Select}
            from leads.lead_state_predictions p
            {JoinStates}
            where p.contact_id = @contactId{(after is null ? "" : " and (p.created, p.id) < (@afterCreated, @afterId)")}
            order by p.created desc, p.id desc limit @limit
            """, new { contactId, afterCreated = after?.Time, afterId = after?.Id, limit = page.Size + 1 }, ct))).ToList();
        return Keyset.Page(rows, page, r => (r.Created, r.Id)).Select(r => r.ToPrediction());
    }

    /// <summary>
    /// Scores the contact's latest prediction if it is unresolved and was made from the state just left; false when there is
    /// none (no prediction, or it was about an earlier stay).
    /// </summary>
    /// <summary>
    /// Scores the contact's latest prediction with the state it actually went to, if it is unresolved and was made from the
    /// state just left. Nothing in the transaction reads it back, so it travels with the COMMIT.
    /// </summary>
    public void Resolve(Guid contactId, Guid fromStateId, Guid toStateId, DateTime at) =>
        unitOfWork.Defer(new NpgsqlBatchCommand("""
            update leads.lead_state_predictions p
            set outcome_state_id = $3, outcome_at = $4, correct = (p.predicted_state_id = $3)
            where p.id = (select id from leads.lead_state_predictions where contact_id = $1 order by created desc, id desc limit 1)
              and p.outcome_at is null and p.from_state_id = $2
            """)
        {
            Parameters = { new() { Value = contactId }, new() { Value = fromStateId }, new() { Value = toStateId }, new() { Value = at } },
        });

    /// <summary>States one transition away from <paramref name="fromStateId"/>; a target any-state rules lead to is an exit.</summary>
    public async Task<IReadOnlyList<PredictionCandidate>> AllowedTargetsAsync(Guid fromStateId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<PredictionCandidate>(unitOfWork.Command("""
            select s.id, s.name, s.position, bool_or(t.from_state_id is null) as is_exit
            from leads.lead_transitions t join leads.lead_states s on s.tenant_id = t.tenant_id and s.id = t.to_state_id
            where (t.from_state_id = @fromStateId or t.from_state_id is null) and s.id <> @fromStateId
            group by s.id, s.name, s.position
            order by s.position, s.name
            """, new { fromStateId }, ct))).ToList();

    /// <summary>The tenant's moves out of <paramref name="fromStateId"/>, counted by target.</summary>
    public async Task<IReadOnlyDictionary<(Guid From, Guid To), int>> TransitionCountsFromAsync(Guid fromStateId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid From, Guid To, int Count)>(unitOfWork.Command("""
            select from_state_id, to_state_id, count(*)::int from leads.lead_state_history where from_state_id = @fromStateId
            group by from_state_id, to_state_id
            """, new { fromStateId }, ct))).ToDictionary(r => (r.From, r.To), r => r.Count);

    public Task<int> ActivitiesSinceAsync(Guid contactId, DateTime since, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<int>(unitOfWork.Command(
            "select count(*)::int from leads.activities where contact_id = @contactId and occurred_at >= @since", new { contactId, since }, ct));
}

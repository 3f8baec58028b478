using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Contracts.Leads;
using GrowthOps.Cortex.Domain.Sequences;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;
using Npgsql;

namespace GrowthOps.Cortex.Data;

/// <summary>One line of cortex.sequence_execution_log.</summary>
public sealed record SequenceLogEntry(Guid Id, Guid EnrollmentId, Guid SequenceId, Guid ContactId, Guid? StepId, int? StepOrder, string? StepType,
    string Action, string Outcome, JsonElement? Detail, string? Error, DateTime CreatedAt);

/// <summary>An email a sequence sent, and what became of it.</summary>
public sealed record SequenceMessage(Guid MessageId, Guid EnrollmentId, Guid SequenceId, Guid ContactId, Guid StepId, int StepOrder, string Variant,
    DateTime SentAt);

/// <summary>Sequences, their steps, the execution log, the sent messages and the senders' slots; inside the tenant's unit of work.</summary>
public sealed class SequencesStore(UnitOfWork unitOfWork)
{
    const string Columns = "id, name, description, status, settings::text as settings, steps_count, created_by, created_at, updated_at";
    const string StepColumns = "id, sequence_id, step_order, step_type, name, config::text as config, created_at, updated_at";

    sealed record Row(Guid Id, string Name, string? Description, string Status, string Settings, int StepsCount, string? CreatedBy, DateTime CreatedAt,
        DateTime UpdatedAt)
    {
        public Sequence ToSequence() => new(Id, Name, Description, Status, Parse(Settings), StepsCount, CreatedBy, CreatedAt, UpdatedAt);
    }

    sealed record StepRow(Guid Id, Guid SequenceId, int StepOrder, string StepType, string? Name, string Config, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public SequenceStep ToStep() => new(Id, SequenceId, StepOrder, StepType, Name, Parse(Config), CreatedAt, UpdatedAt);
    }

    static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    public Task InsertAsync(Sequence s, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.sequences (tenant_id, id, name, description, status, settings, created_by, created_at, updated_at)
            values (cortex.current_tenant(), @Id, @Name, @Description, @Status, @Settings::jsonb, @CreatedBy, @CreatedAt, @UpdatedAt)
            """, new { s.Id, s.Name, s.Description, s.Status, Settings = s.Settings.GetRawText(), s.CreatedBy, s.CreatedAt, s.UpdatedAt }, ct));

    public Task UpdateAsync(Sequence s, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.sequences set name = @Name, description = @Description, status = @Status, settings = @Settings::jsonb, updated_at = @UpdatedAt
             where id = @Id
            """, new { s.Id, s.Name, s.Description, s.Status, Settings = s.Settings.GetRawText(), s.UpdatedAt }, ct));

    public async Task<Sequence?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from cortex.sequences where id = @id{(forUpdate ? " for update" : "")}", new { id }, ct)))?.ToSequence();

    public async Task<Page<Sequence>> ListAsync(string? status, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from cortex.sequences where (@status::text is null or status = @status)");
        var args = new DynamicParameters(new { status });
        Keyset.Append(sql, args, page, "created_at", "id");
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToSequence()).ToList();
        return Keyset.Page(rows, page, s => (s.CreatedAt, s.Id));
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.sequences where id = @id", new { id }, ct)) > 0;

    public async Task<IReadOnlyList<SequenceStep>> StepsAsync(Guid sequenceId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<StepRow>(unitOfWork.Command(
            $"select {StepColumns} from cortex.sequence_steps where sequence_id = @sequenceId order by step_order", new { sequenceId }, ct)))
        .Select(r => r.ToStep()).ToList();

    public async Task<SequenceStep?> StepAsync(Guid stepId, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<StepRow>(unitOfWork.Command(
            $"select {StepColumns} from cortex.sequence_steps where id = @stepId", new { stepId }, ct)))?.ToStep();

    /// <summary>The sequence and its steps in one round trip (what an enrolment reads to run its next step).</summary>
    public async Task<(Sequence? Sequence, IReadOnlyList<SequenceStep> Steps)> WithStepsAsync(Guid sequenceId, CancellationToken ct)
    {
        using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command($"""
            select {Columns} from cortex.sequences where id = @sequenceId;
            select {StepColumns} from cortex.sequence_steps where sequence_id = @sequenceId order by step_order;
            """, new { sequenceId }, ct));
        var sequence = (await grid.ReadSingleOrDefaultAsync<Row>())?.ToSequence();
        var steps = (await grid.ReadAsync<StepRow>()).Select(r => r.ToStep()).ToList();
        return (sequence, steps);
    }

    /// <summary>
    /// What an advance reads, in one round trip: the sequence, its steps and the lead as Cortex knows it (deleted: null).
    /// </summary>
    public async Task<(Sequence? Sequence, IReadOnlyList<SequenceStep> Steps, ContactSnapshot? Contact)> ForAdvanceAsync(Guid sequenceId, Guid contactId,
        CancellationToken ct)
    {
        using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command($"""
            select {Columns} from cortex.sequences where id = @sequenceId;
            select {StepColumns} from cortex.sequence_steps where sequence_id = @sequenceId order by step_order;
            select snapshot::text from cortex.contacts where id = @contactId and not deleted;
            """, new { sequenceId, contactId }, ct));
        var sequence = (await grid.ReadSingleOrDefaultAsync<Row>())?.ToSequence();
        var steps = (await grid.ReadAsync<StepRow>()).Select(r => r.ToStep()).ToList();
        var contact = await grid.ReadSingleOrDefaultAsync<string>() is { } json ? JsonSerializer.Deserialize<ContactSnapshot>(json, ContactsStore.Json) : null;
        return (sequence, steps, contact);
    }

    /// <summary>Inserts the step at its order, moving the steps at and after it one down.</summary>
    public async Task InsertStepAsync(SequenceStep step, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "update cortex.sequence_steps set step_order = step_order + 1 where sequence_id = @SequenceId and step_order >= @StepOrder",
            new { step.SequenceId, step.StepOrder }, ct));
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.sequence_steps (tenant_id, id, sequence_id, step_order, step_type, name, config, created_at, updated_at)
            values (cortex.current_tenant(), @Id, @SequenceId, @StepOrder, @StepType, @Name, @Config::jsonb, @CreatedAt, @UpdatedAt)
            """, new { step.Id, step.SequenceId, step.StepOrder, step.StepType, step.Name, Config = step.Config.GetRawText(), step.CreatedAt, step.UpdatedAt },
            ct));
    }

    /// <summary>Writes the step's fields; a new order moves the steps between the old and the new place by one.</summary>
    public async Task UpdateStepAsync(SequenceStep before, SequenceStep after, CancellationToken ct)
    {
        if (after.StepOrder != before.StepOrder)
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                update cortex.sequence_steps set step_order = step_order + case when @to < @from then 1 else -1 end
                 where sequence_id = @SequenceId and id <> @Id and step_order between least(@from, @to) and greatest(@from, @to)
                """, new { after.SequenceId, after.Id, from = before.StepOrder, to = after.StepOrder }, ct));
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.sequence_steps set step_order = @StepOrder, step_type = @StepType, name = @Name, config = @Config::jsonb, updated_at = @UpdatedAt
             where id = @Id
            """, new { after.Id, after.StepOrder, after.StepType, after.Name, Config = after.Config.GetRawText(), after.UpdatedAt }, ct));
    }

    /// <summary>Deletes the step and closes the gap.</summary>
    public async Task<bool> DeleteStepAsync(SequenceStep step, CancellationToken ct)
    {
        if (await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.sequence_steps where id = @Id", new { step.Id }, ct)) == 0)
            return false;
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "update cortex.sequence_steps set step_order = step_order - 1 where sequence_id = @SequenceId and step_order > @StepOrder",
            new { step.SequenceId, step.StepOrder }, ct));
        return true;
    }

    /// <summary>Puts the steps in the given order (every step of the sequence, each once).</summary>
    public Task ReorderAsync(Guid sequenceId, IReadOnlyList<Guid> order, DateTime now, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.sequence_steps s set step_order = o.ordinality, updated_at = @now
              from unnest(@order) with ordinality as o(id, ordinality)
             where s.sequence_id = @sequenceId and s.id = o.id
            """, new { sequenceId, order = order.ToArray(), now }, ct));

    /// <summary>Appends a log line; nothing in the transaction reads it back, so it travels with the COMMIT (no round trip of its own).</summary>
    public Task AppendLogAsync(SequenceLogEntry e, CancellationToken ct)
    {
        unitOfWork.Defer(new NpgsqlBatchCommand("""
            insert into cortex.sequence_execution_log (tenant_id, id, enrollment_id, sequence_id, contact_id, step_id, step_order, step_type, action, outcome,
                                                       detail, error, created_at)
            values (cortex.current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
            on conflict (tenant_id, id) do nothing
            """)
        {
            Parameters =
            {
                new() { Value = e.Id }, new() { Value = e.EnrollmentId }, new() { Value = e.SequenceId }, new() { Value = e.ContactId },
                new() { Value = (object?)e.StepId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
                new() { Value = (object?)e.StepOrder ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
                new() { Value = (object?)e.StepType ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }, new() { Value = e.Action },
                new() { Value = e.Outcome },
                new()
                {
                    Value = e.Detail is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } d ? d.GetRawText() : DBNull.Value,
                    NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
                },
                new() { Value = (object?)e.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                new() { Value = DateTime.SpecifyKind(e.CreatedAt, DateTimeKind.Utc) },
            },
        });
        return Task.CompletedTask;
    }

    sealed record LogRow(Guid Id, Guid EnrollmentId, Guid SequenceId, Guid ContactId, Guid? StepId, int? StepOrder, string? StepType, string Action,
        string Outcome, string? Detail, string? Error, DateTime CreatedAt);

    /// <summary>The log, newest first, of a sequence, a contact or an enrolment (any of them given narrows it).</summary>
    public async Task<Page<SequenceLogEntry>> LogAsync(Guid? sequenceId, Guid? contactId, Guid? enrollmentId, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder("""
            select id, enrollment_id, sequence_id, contact_id, step_id, step_order, step_type, action, outcome, detail::text as detail, error, created_at
              from cortex.sequence_execution_log
             where (@sequenceId::uuid is null or sequence_id = @sequenceId) and (@contactId::uuid is null or contact_id = @contactId)
               and (@enrollmentId::uuid is null or enrollment_id = @enrollmentId)
            """);
        var args = new DynamicParameters(new { sequenceId, contactId, enrollmentId });
        Keyset.Append(sql, args, page, "created_at", "id");
        var rows = (await unitOfWork.Connection.QueryAsync<LogRow>(unitOfWork.Command(sql.ToString(), args, ct)))
            .Select(r => new SequenceLogEntry(r.Id, r.EnrollmentId, r.SequenceId, r.ContactId, r.StepId, r.StepOrder, r.StepType, r.Action, r.Outcome,
                r.Detail is null ? null : Parse(r.Detail), r.Error, r.CreatedAt)).ToList();
        return Keyset.Page(rows, page, e => (e.CreatedAt, e.Id));
    }

    public Task RecordMessageAsync(SequenceMessage m, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.sequence_messages (tenant_id, message_id, enrollment_id, sequence_id, contact_id, step_id, step_order, variant, sent_at)
            values (cortex.current_tenant(), @MessageId, @EnrollmentId, @SequenceId, @ContactId, @StepId, @StepOrder, @Variant, @SentAt)
            on conflict (tenant_id, message_id) do nothing
            """, m, ct));

    /// <summary>
    /// Marks the message opened, clicked, replied or bounced (the first time counts); returns its enrolment, or null when the
    /// message is not a sequence's. <paramref name="first"/>: whether this was the first such event of the message.
    /// </summary>
    public async Task<(Guid EnrollmentId, bool First)?> MarkMessageAsync(Guid messageId, string column, DateTimeOffset at, CancellationToken ct)
    {
        if (column is not ("opened_at" or "clicked_at" or "replied_at" or "bounced_at"))
            throw new ArgumentOutOfRangeException(nameof(column));
        var row = await unitOfWork.Connection.QuerySingleOrDefaultAsync<(Guid EnrollmentId, bool First)?>(unitOfWork.Command($"""
            with before as (select enrollment_id, {column} is null as first from cortex.sequence_messages where message_id = @messageId for update)
            update cortex.sequence_messages m set {column} = coalesce(m.{column}, @at) from before
             where m.message_id = @messageId
            returning before.enrollment_id, before.first
            """, new { messageId, at = at.UtcDateTime }, ct));
        return row;
    }

    /// <summary>The contact's enrolments that are still going (not completed or stopped).</summary>
    public async Task<IReadOnlyList<(Guid EnrollmentId, Guid SequenceId)>> LiveEnrollmentsAsync(Guid contactId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, Guid)>(unitOfWork.Command("""
            select correlation_id, sequence_id from cortex.lead_sequence_state
             where contact_id = @contactId and current_state not in ('Completed', 'Stopped')
            """, new { contactId }, ct))).ToList();

    /// <summary>
    /// Takes the next sending slot of <paramref name="sender"/> at or after <paramref name="due"/>: at least
    /// <paramref name="stagger"/> after the sender's previous one, and within <paramref name="dailyLimit"/> per local day (a full
    /// day's slot moves to <paramref name="nextDay"/>'s answer for the day after). Returns the slot's time.
    /// </summary>
    public async Task<DateTimeOffset> TakeSlotAsync(string sender, DateTimeOffset due, TimeSpan stagger, int? dailyLimit, TimeZoneInfo zone,
        Func<DateTimeOffset, DateTimeOffset> nextDay, CancellationToken ct)
    {
        // The row exists before it is locked: two first sends of a sender must not both find none and both take the first slot.
        var row = await unitOfWork.Connection.QuerySingleOrDefaultAsync<(DateTime Day, int Used, DateTime NextAt)?>(unitOfWork.Command("""
            insert into cortex.sequence_send_slots (tenant_id, sender, day, used, next_at) values (cortex.current_tenant(), @sender, '2000-01-01', 0, '2000-01-01')
            on conflict (tenant_id, sender) do nothing;
            select day::timestamp, used, next_at from cortex.sequence_send_slots where sender = @sender for update;
            """, new { sender }, ct));
        var slot = row is { } r && r.NextAt > due.UtcDateTime ? new DateTimeOffset(DateTime.SpecifyKind(r.NextAt, DateTimeKind.Utc)) : due;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, zone).DateTime);
        var used = row is { } p && DateOnly.FromDateTime(p.Day) == day ? p.Used : 0;
        for (var guard = 0; dailyLimit is { } limit && used >= limit && guard < 400; guard++)
        {
            slot = nextDay(slot);
            day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, zone).DateTime);
            used = 0;
        }

        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.sequence_send_slots set day = @day, used = @used, next_at = @nextAt where sender = @sender
            """, new { sender, day = day.ToDateTime(TimeOnly.MinValue), used = used + 1, nextAt = (slot + stagger).UtcDateTime }, ct));
        return slot;
    }
}

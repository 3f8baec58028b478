using GrowthOps.Bench.Contracts;
using GrowthOps.Persistence;
using MassTransit;

namespace GrowthOps.Bench.Messaging;

/// <summary>No inbox, no database: the broker and MassTransit alone.</summary>
public sealed class RawPingConsumer(ConsumeRecorder recorder) : IConsumer<RawPing>
{
    public Task Consume(ConsumeContext<RawPing> context)
    {
        recorder.Record(context.Message.Id);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Behind the GrowthOps inbox (registered through AddMessaging): one business insert in the inbox's transaction, like the
/// test host's OrderPlacedConsumer. Records when the message reached it.
/// </summary>
public sealed class ItemCreatedConsumer(UnitOfWork unitOfWork, ConsumeRecorder recorder) : IConsumer<ItemCreated>
{
    public async Task Consume(ConsumeContext<ItemCreated> context)
    {
        recorder.Record(context.Message.ItemId);
        await using var cmd = unitOfWork.CreateCommand("insert into bench.effects (tenant_id, item_id, message_id) values ($1, $2, $3)");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = context.Message.TenantId });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = context.Message.ItemId });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = context.MessageId!.Value });
        await cmd.ExecuteNonQueryAsync(context.CancellationToken);
    }
}

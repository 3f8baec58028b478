using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>Writes one effect row in the consumed message's inbox transaction, as a real service's consumer writes its rows.</summary>
public sealed class EffectWriter(UnitOfWork unitOfWork)
{
    public Task WriteAsync(Guid messageId, string kind, Guid contactId, string? marker, Guid? historyId) =>
        unitOfWork.Connection.ExecuteAsync("""
            insert into faults.effect (message_id, kind, contact_id, marker, history_id) values (@messageId, @kind, @contactId, @marker, @historyId)
            """, new { messageId, kind, contactId, marker, historyId }, unitOfWork.Transaction);
}

using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>Writes one effect row in the consumed message's inbox transaction, as a real service's consumer writes its rows.</summary>
public sealed class EffectWriter(UnitOfWork unitOfWork)
{
    public Task WriteAsync(Guid messageId, string kind, Guid contactId, string? marker, Guid itemId) =>
        unitOfWork.Connection.ExecuteAsync("""
            insert into faults.effect (message_id, kind, contact_id, marker, item_id) values (@messageId, @kind, @contactId, @marker, @itemId)
            """, new { messageId, kind, contactId, marker, itemId }, unitOfWork.Transaction);
}

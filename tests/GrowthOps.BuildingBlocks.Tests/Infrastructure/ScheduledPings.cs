using System.Text.Json;
using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>Scheduled rows written straight into the test host's <c>scheduled_message</c>, as the scheduler stores them.</summary>
static class ScheduledPings
{
    public const string MessageType = "urn:message:GrowthOps.TestHost.Contracts:Ping";

    /// <summary>A complete MassTransit envelope of a <c>Ping</c>.</summary>
    public static string Envelope(Guid pingId, Guid? messageId = null) => JsonSerializer.Serialize(new
    {
        messageId = messageId ?? Guid.NewGuid(),
        messageType = new[] { MessageType },
        message = new { pingId, dueAt = DateTimeOffset.UtcNow },
        headers = new { },
    });

    /// <summary>A one-shot row for <c>testhost-ping</c>, due a second ago.</summary>
    public static Task InsertDueAsync(TestDatabase db, Guid token, string body, string headers = "{}") => db.ScalarAsync<int>($"""
        insert into testhost.scheduled_message (token_id, scheduled_time, message_id, content_type, message_type, body, headers, destination_address)
        values ($1, now() - interval '1 second', $1, 'application/vnd.masstransit+json', '{MessageType}', $2, $3, 'queue:testhost-ping')
        """, token, body, headers);
}

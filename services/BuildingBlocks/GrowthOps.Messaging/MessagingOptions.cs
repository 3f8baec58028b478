using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Messaging;

/// <summary>Bus behaviour shared by every service (section <c>Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Prefix of every queue this service owns (<c>leads-lead-state-changed</c>); defaults to the service name.</summary>
    public string? EndpointPrefix { get; set; }

    /// <summary>Immediate in-process retries before a message is handed to scheduled redelivery.</summary>
    [Range(0, 20)]
    public int ImmediateRetries { get; set; } = 3;

    /// <summary>
    /// Scheduled redelivery delays (through the durable scheduler) before the message goes to the <c>_error</c> queue;
    /// 5 s, 30 s, 2 min when unset, none when set empty. Null by default because configuration binding appends to an array.
    /// </summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    public TimeSpan[] EffectiveRedeliveryIntervals =>
        RedeliveryIntervals ?? [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>
    /// How long a consumed message id is remembered after it was received: the window in which a duplicate is recognised.
    /// Duplicates come from relay and scheduler resends after a crash, broker redeliveries and operators replaying dead
    /// letters, and a copy can sit in a stopped consumer's queue for days, hence a week.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a fired one-shot schedule is kept, so that a redelivered schedule command with its token does not fire again.</summary>
    public TimeSpan SchedulerTombstoneRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Attempts the relay or the scheduler makes to send one row (read, deserialise, send) before it moves the row to
    /// <c>dead_letter</c>. Attempts that fail because the broker is unreachable do not count.
    /// </summary>
    [Range(1, 100)]
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>
    /// Longest the outbox relay and the scheduler wait for one send's publisher confirm. RabbitMQ.Client 7.2 can leave a publish
    /// that was in flight when the broker went down waiting forever, even after the connection recovered
    /// (rabbitmq-dotnet-client #1928/#1930): without a bound, that one send holds its batch, and the rows it locked, for good.
    /// A send that times out is sent again (the consumers' inboxes absorb the copy if the first one arrives after all).
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First delay before a failed row is tried again; it doubles per attempt up to <see cref="DeliveryRetryMaxInterval"/>.</summary>
    public TimeSpan DeliveryRetryMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan DeliveryRetryMaxInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Retries of a scheduling command the scheduler could not store (the database is down): exponential from
    /// <see cref="SchedulerRetryMinInterval"/> to <see cref="SchedulerRetryMaxInterval"/>; the defaults wait about 15 minutes.
    /// </summary>
    [Range(1, 1000)]
    public int SchedulerRetryLimit { get; set; } = 20;

    public TimeSpan SchedulerRetryMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan SchedulerRetryMaxInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 5000)]
    public int OutboxBatchSize { get; set; } = 200;

    /// <summary>Fallback poll when no commit notification arrives (a lost NOTIFY, a listener reconnecting).</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest the scheduler sleeps between looks for due messages; it wakes earlier for new or due ones.</summary>
    public TimeSpan SchedulerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool EnableOutboxRelay { get; set; } = true;

    public bool EnableScheduler { get; set; } = true;

    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 32;

    [Range(1, 1000)]
    public int ConcurrentMessageLimit { get; set; } = 16;
}

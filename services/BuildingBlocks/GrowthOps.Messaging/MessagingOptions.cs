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

    /// <summary>How long a consumed message id is remembered: the window in which a duplicate is recognised.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(1);

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

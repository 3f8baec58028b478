using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Messaging;

/// <summary>The broker (section <c>RabbitMq</c>).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    public bool UseSsl { get; set; }

    /// <summary>Declare queues as quorum queues (replicated; needs a RabbitMQ cluster to matter). An existing classic queue cannot be converted.</summary>
    public bool QuorumQueues { get; set; }
}

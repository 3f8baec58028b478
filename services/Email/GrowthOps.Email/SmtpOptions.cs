using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>The platform's SMTP server (section <c>Email:Smtp</c>): smtp4dev on 127.0.0.1:2525 in development and tests.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Email:Smtp";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 2525;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>STARTTLS when the server offers it (required when true); false sends in clear (a local catcher).</summary>
    public bool UseTls { get; set; }

    /// <summary>Connections kept open per server; a batch is sent over all of them at once.</summary>
    [Range(1, 64)]
    public int PoolSize { get; set; } = 8;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

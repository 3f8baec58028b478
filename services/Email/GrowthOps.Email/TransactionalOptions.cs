using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>Transactional sends, the suppression list and unsubscribing (section <c>Email:Transactional</c>).</summary>
public sealed class TransactionalOptions
{
    public const string Section = "Email:Transactional";

    /// <summary>
    /// An address that takes unsubscribe requests by mail; when set, <c>List-Unsubscribe</c> offers it as a <c>mailto:</c>
    /// beside the one-click link (RFC 2369). Nothing reads that mailbox for you: leave it empty unless something does.
    /// </summary>
    [EmailAddress]
    public string? UnsubscribeMailto { get; set; }

    /// <summary>The largest suppression CSV an import takes (413 above).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxImportBytes { get; set; } = 20 * 1024 * 1024;
}

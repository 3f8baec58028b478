namespace GrowthOps.Email.Domain.Transactional;

/// <summary>What kind of mail a send is, which decides the gates it passes (see <c>SendEmail</c>).</summary>
public static class EmailCategories
{
    /// <summary>Needs the contact's consent, never goes to a suppressed address, carries an unsubscribe link.</summary>
    public const string Marketing = "marketing";

    /// <summary>Receipts, notifications: never to a suppressed address. The default.</summary>
    public const string Transactional = "transactional";

    /// <summary>Password resets and the like: sent even to a suppressed address.</summary>
    public const string StrictlyTransactional = "strictly_transactional";

    public static readonly IReadOnlyList<string> All = [Marketing, Transactional, StrictlyTransactional];
}

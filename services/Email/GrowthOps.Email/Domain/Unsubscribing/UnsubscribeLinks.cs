namespace GrowthOps.Email.Domain.Unsubscribing;

/// <summary>The names templates and other decorators share with the unsubscribe decorator.</summary>
public static class UnsubscribeLinks
{
    /// <summary>
    /// Where a template wants its unsubscribe link: write <c>{{unsubscribe_url}}</c> (merge fields render it as this marker) or
    /// the marker itself, in an <c>href</c> or as text. Without it, marketing mail gets a footer with the link.
    /// </summary>
    public const string Placeholder = "%%unsubscribe_url%%";

    /// <summary>The merge field that renders as <see cref="Placeholder"/>.</summary>
    public const string MergeField = "unsubscribe_url";

    /// <summary>The path of every unsubscribe link after <see cref="EmailOptions.PublicBaseUrl"/>; link tracking leaves such links alone.</summary>
    public const string PathPrefix = "/t/unsubscribe/";

    public const string ListUnsubscribe = "List-Unsubscribe";
    public const string ListUnsubscribePost = "List-Unsubscribe-Post";

    /// <summary>RFC 8058: the one value of <c>List-Unsubscribe-Post</c>, and the body a mail client POSTs.</summary>
    public const string OneClick = "List-Unsubscribe=One-Click";
}

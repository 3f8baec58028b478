namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Whether an inbound email is an automatic answer (out of office, vacation, auto-responders) rather than a person's reply,
/// and why. Headers first (RFC 3834 <c>Auto-Submitted</c> other than <c>no</c>; <c>X-Autoreply</c>, <c>X-Autorespond</c>,
/// <c>X-Autoreply-From</c>; <c>Precedence: auto_reply / bulk / junk / list</c>; Exchange's
/// <c>X-Auto-Response-Suppress</c> on its own automatic messages), then the subject in the languages our tenants write in.
/// </summary>
public static class AutoReplyRules
{
    static readonly string[] Headers = ["X-Autoreply", "X-Autorespond", "X-Autoreply-From", "X-Auto-Response-Suppress", "X-Mail-Autoreply"];

    static readonly string[] Precedences = ["auto_reply", "bulk", "junk", "list"];

    static readonly string[] Subjects =
    [
        "out of office", "out of the office", "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response",
        "autoresponse", "vacation reply", "away from the office", "abwesenheitsnotiz", "automatische antwort", "abwesend",
        "réponse automatique", "reponse automatique", "absence du bureau", "respuesta automática", "respuesta automatica",
        "fuera de la oficina", "risposta automatica", "fuori ufficio", "automatisch antwoord", "afwezigheidsbericht",
    ];

    /// <returns>The rule that matched (<c>header:Auto-Submitted</c>, <c>subject</c>…), or null for a person's reply.</returns>
    public static string? Classify(IReadOnlyDictionary<string, string> headers, string? subject)
    {
        if (headers.TryGetValue("Auto-Submitted", out var submitted) && !submitted.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
            return "header:Auto-Submitted";
        foreach (var header in Headers)
            if (headers.ContainsKey(header))
                return "header:" + header;
        if (headers.TryGetValue("Precedence", out var precedence) && Precedences.Contains(precedence.Trim().ToLowerInvariant()))
            return "header:Precedence";
        if (subject is not null && Subjects.Any(s => subject.Contains(s, StringComparison.OrdinalIgnoreCase)))
            return "subject";
        return null;
    }
}

using System.Net;

namespace GrowthOps.Email.Apis;

/// <summary>The two small pages a recipient sees: "confirm" (a form that POSTs back) and "done".</summary>
static class UnsubscribePage
{
    public const string ContentType = "text/html; charset=utf-8";

    public static string Confirm(string email, string action) => Page("Unsubscribe", $"""
        <h1>Unsubscribe</h1>
        <p>Stop marketing email to <strong>{WebUtility.HtmlEncode(email)}</strong>?</p>
        <form method="post" action="{WebUtility.HtmlEncode(action)}">
          <input type="hidden" name="confirm" value="yes">
          <button type="submit">Unsubscribe</button>
        </form>
        """);

    public static string Done(string email) => Page("Unsubscribed", $"""
        <h1>You are unsubscribed</h1>
        <p><strong>{WebUtility.HtmlEncode(email)}</strong> will get no more marketing email from us. Messages you ask for, such as receipts
        and password resets, still arrive.</p>
        """);

    static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{title}</title>
        <style>body{"{"}font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222{"}"}button{"{"}font-size:1rem;padding:.5rem 1.25rem{"}"}</style>
        </head><body>
        {body}
        </body></html>
        """;
}

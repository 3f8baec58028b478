namespace GrowthOps.Bench.Email;

/// <summary>A newsletter of the usual size (about 3 KB of HTML, four links, merge fields), as a campaign would send.</summary>
static class BenchTemplate
{
    public const string Html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>December news</title></head>
        <body style="margin:0;padding:0;background:#f4f4f7;font-family:Helvetica,Arial,sans-serif">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
        <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;margin:24px 0">
        <tr><td style="padding:32px 40px">
        <h1 style="font-size:24px;color:#1f2937;margin:0 0 16px">Hi {{first_name}},</h1>
        <p style="font-size:16px;line-height:24px;color:#374151">Here is what changed this month for {{#if company}}{{company}}{{else}}your team{{/if}}:
        three releases, a new integration and the dates of our next webinars.</p>
        <h2 style="font-size:18px;color:#1f2937">Faster segments</h2>
        <p style="font-size:16px;line-height:24px;color:#374151">Segments now update the moment a contact changes. Audiences that took minutes to
        refresh are ready before you open the campaign wizard. <a href="https://growthops.example/blog/faster-segments?utm_source=newsletter">Read the post</a>.</p>
        <h2 style="font-size:18px;color:#1f2937">Sequences with business hours</h2>
        <p style="font-size:16px;line-height:24px;color:#374151">Every step of a sequence waits for the recipient's working hours in their own time
        zone, so your first email lands at 9:00 wherever they are. <a href="https://growthops.example/docs/sequences?utm_source=newsletter">See how</a>.</p>
        <h2 style="font-size:18px;color:#1f2937">Webinars</h2>
        <p style="font-size:16px;line-height:24px;color:#374151">Join us on the 14th for a walk through attribution models, or on the 21st for
        budget changes that cannot overspend. <a href="https://growthops.example/webinars?utm_source=newsletter">Save your seat</a>.</p>
        <table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0"><tr><td style="background:#4f46e5;border-radius:6px">
        <a href="https://growthops.example/app?utm_source=newsletter&amp;utm_campaign=december" style="display:inline-block;padding:12px 24px;color:#ffffff;text-decoration:none;font-weight:bold">Open GrowthOps</a>
        </td></tr></table>
        <p style="font-size:14px;line-height:20px;color:#6b7280">You receive this because {{email}} subscribed to product news.</p>
        </td></tr></table>
        </td></tr></table>
        </body></html>
        """;
}

using GrowthOps.Contracts.Email;
using GrowthOps.Email;
using GrowthOps.Leads;
using GrowthOps.Segments;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads, Segments and Email, Email sending over SMTP to the tests' smtp4dev; the test bus collects what Email publishes. The
/// consumers start first (Email, Segments), Leads last.
/// </summary>
public sealed class LeadsSegmentsAndEmail : ServicesFixture
{
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<SegmentsOptions> Segments { get; private set; } = null!;
    public InProcessService<EmailOptions> Email { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    protected override Type[] Collect =>
        [typeof(EmailSent), typeof(EmailBatchSent), typeof(EmailOpened), typeof(EmailClicked), typeof(EmailUnsubscribed)];

    protected override async Task StartServicesAsync()
    {
        var email = EmailSettings;
        // A test clicks a link right after the email arrives: no person is that fast, so by default it counts as a scanner's.
        email["Email:Tracking:BotClickWindow"] = "00:00:00";
        Email = await StartAsync<EmailOptions>("email", email);
        Segments = await StartAsync<SegmentsOptions>("segments");
        Leads = await StartAsync<LeadsOptions>("leads", LeadsSettings);
    }

    public override async Task DisposeAsync()
    {
        Mail.Dispose();
        await base.DisposeAsync();
    }
}

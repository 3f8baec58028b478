using GrowthOps.Contracts.Email;
using GrowthOps.Cortex;
using GrowthOps.Email;
using GrowthOps.Leads;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads, Email (over SMTP to smtp4dev) and Cortex with sequence waits scaled so that a day lasts <see cref="DaySeconds"/>:
/// the seed's cold-outreach example runs in seconds through the real services.
/// </summary>
public sealed class SequencesOverEmail : ServicesFixture
{
    public const double DaySeconds = 1.5;

    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<EmailOptions> Email { get; private set; } = null!;
    public InProcessService<CortexOptions> Cortex { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    protected override Type[] Collect => [typeof(EmailSent), typeof(EmailReplied)];

    protected override async Task StartServicesAsync()
    {
        Email = await StartAsync<EmailOptions>("email", EmailSettings);
        var cortex = CortexSettings;
        cortex["Cortex:SequenceDelayScale"] = (DaySeconds / 86400).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        cortex["Messaging:SchedulerPollInterval"] = "00:00:00.100";
        Cortex = await StartAsync<CortexOptions>("cortex", cortex);
        Leads = await StartAsync<LeadsOptions>("leads", LeadsSettings);
    }

    public override async Task DisposeAsync()
    {
        Mail.Dispose();
        await base.DisposeAsync();
    }
}

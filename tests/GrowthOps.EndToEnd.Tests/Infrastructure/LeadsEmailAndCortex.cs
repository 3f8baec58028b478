using GrowthOps.Contracts.Email;
using GrowthOps.Cortex;
using GrowthOps.Email;
using GrowthOps.Leads;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads, Email and Cortex, Email sending over SMTP to the tests' smtp4dev. The consumers start first (Email, Cortex) so that
/// their queues are bound before Leads publishes anything.
/// </summary>
public sealed class LeadsEmailAndCortex : ServicesFixture
{
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<EmailOptions> Email { get; private set; } = null!;
    public InProcessService<CortexOptions> Cortex { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    protected override Type[] Collect => [typeof(EmailSent)];

    protected override async Task StartServicesAsync()
    {
        Email = await StartAsync<EmailOptions>("email", EmailSettings);
        Cortex = await StartAsync<CortexOptions>("cortex", CortexSettings);
        Leads = await StartAsync<LeadsOptions>("leads", LeadsSettings);
    }

    public override async Task DisposeAsync()
    {
        Mail.Dispose();
        await base.DisposeAsync();
    }
}

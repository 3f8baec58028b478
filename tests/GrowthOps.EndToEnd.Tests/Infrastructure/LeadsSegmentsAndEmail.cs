using GrowthOps.Contracts.Email;
using GrowthOps.Email;
using GrowthOps.Leads;
using GrowthOps.Segments;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads, Segments and Email in one process, each on its own PostgreSQL database, all on one RabbitMQ virtual host, Email
/// sending over SMTP to the tests' smtp4dev. The consumers start first (Email, Segments) so that their queues are bound
/// before Leads publishes anything. A test bus collects what Email publishes. One per test class.
/// </summary>
public sealed class LeadsSegmentsAndEmail : IAsyncLifetime
{
    readonly List<TestDatabase> databases = [];

    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<SegmentsOptions> Segments { get; private set; } = null!;
    public InProcessService<EmailOptions> Email { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync("endtoend");
        Bus = await TestBus.StartAsync(VirtualHost, typeof(EmailSent), typeof(EmailBatchSent), typeof(EmailOpened), typeof(EmailClicked),
            typeof(EmailUnsubscribed));
        Email = new InProcessService<EmailOptions>(await Database("email"), VirtualHost, new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:PublicBaseUrl"] = "http://email.test",
            // A test clicks a link right after the email arrives: no person is that fast, so by default it counts as a scanner's.
            ["Email:Tracking:BotClickWindow"] = "00:00:00",
        });
        await Email.ReadyAsync();
        Segments = new InProcessService<SegmentsOptions>(await Database("segments"), VirtualHost);
        await Segments.ReadyAsync();
        Leads = new InProcessService<LeadsOptions>(await Database("leads"), VirtualHost, new Dictionary<string, string?>
        {
            ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
        });
        await Leads.ReadyAsync();
    }

    async Task<TestDatabase> Database(string service)
    {
        var database = await TestDatabase.CreateAsync(service);
        databases.Add(database);
        return database;
    }

    public async Task DisposeAsync()
    {
        Mail.Dispose();
        await Bus.DisposeAsync();
        await Leads.DisposeAsync();
        await Segments.DisposeAsync();
        await Email.DisposeAsync();
        await VirtualHost.DisposeAsync();
        foreach (var database in databases)
            await database.DisposeAsync();
    }
}

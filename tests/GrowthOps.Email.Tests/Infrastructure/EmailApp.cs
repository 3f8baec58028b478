using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>
/// The Email service in process on its own PostgreSQL database and RabbitMQ virtual host, sending over SMTP to the tests'
/// smtp4dev (<see cref="Mail"/> reads what arrived), with a test bus that publishes Leads' and Segments' messages into it
/// and collects what it publishes. One per test class (<see cref="ServiceApp{TProgram}"/>).
/// </summary>
public class EmailApp() : ServiceApp<Program>("email")
{
    /// <summary>Every message type the service publishes, collected by the test bus.</summary>
    public static readonly Type[] Published =
    [
        typeof(EmailSent), typeof(EmailBatchSent), typeof(EmailFailed), typeof(EmailDelivered), typeof(EmailOpened), typeof(EmailClicked),
        typeof(EmailBounced), typeof(EmailComplained), typeof(EmailReplied), typeof(EmailUnsubscribed), typeof(RepublishContactSnapshots),
    ];

    public MailCatcher Mail { get; } = new();

    protected override Type[] Collect => Published;

    protected override IDictionary<string, string?> CommonSettings => new Dictionary<string, string?>
    {
        ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
        ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:PublicBaseUrl"] = "http://email.test",
    };

    protected override ValueTask DisposeMoreAsync()
    {
        Mail.Dispose();
        return ValueTask.CompletedTask;
    }
}

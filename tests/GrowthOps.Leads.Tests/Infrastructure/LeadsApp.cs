using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Infrastructure;

/// <summary>
/// The Leads service in process on its own PostgreSQL database and RabbitMQ virtual host, with a test bus collecting the
/// events it publishes. One per test class (<see cref="IClassFixture{TFixture}"/>). Its clients hold every call to the
/// service's OpenAPI document (<see cref="ServiceApp{TProgram}"/>): a response the document does not describe fails the test.
/// </summary>
public class LeadsApp() : ServiceApp<Program>("leads")
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>The test bus, collecting the events Leads publishes.</summary>
    public TestBus Events => Bus;

    /// <summary>Event types the test bus collects.</summary>
    protected override Type[] Collect =>
    [
        typeof(ContactCreated), typeof(ContactUpdated), typeof(ContactDeleted), typeof(TagAdded), typeof(TagRemoved), typeof(ActivityRecorded),
        typeof(LeadStateChanged), typeof(LeadWon), typeof(LeadLost), typeof(LeadWentDormant), typeof(DealStageChanged), typeof(DealCreated), typeof(DealWon), typeof(DealLost), typeof(TaskCreated),
        typeof(TaskCompleted), typeof(OwnerAssigned), typeof(ContactsMerged),
        typeof(GrowthOps.Contracts.Leads.Commands.LeadsCommandApplied), typeof(GrowthOps.Contracts.Leads.Commands.LeadsCommandFailed),
        typeof(GrowthOps.Contracts.Leads.Commands.NextStatePredicted),
        typeof(ContactSnapshotsPage),
        typeof(GrowthOps.Contracts.Cortex.StartWorkflow), typeof(GrowthOps.Contracts.Cortex.EnrollInSequence),
    ];

    protected override IDictionary<string, string?> CommonSettings => new Dictionary<string, string?>
    {
        ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
        // Webhook receivers are WireMock servers on this machine; Refusing_forbidden_webhook_targets turns loopback off.
        ["Outbound:AllowHttp"] = "true",
        ["Outbound:AllowLoopback"] = "true",
    };

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        return options;
    }
}

using System.Text.Json;

namespace GrowthOps.Cortex.Tests.Infrastructure;

/// <summary>
/// The Cortex service in process on its own PostgreSQL database and RabbitMQ virtual host. One per test class. Its clients hold
/// every call to the service's OpenAPI document (<see cref="ServiceApp{TProgram}"/>).
/// </summary>
public class CortexApp() : ServiceApp<Program>("cortex")
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    protected override Type[] Collect =>
    [
        typeof(GrowthOps.Contracts.Email.SendEmail), typeof(GrowthOps.Contracts.Leads.Commands.AddTag),
        typeof(GrowthOps.Contracts.Cortex.WorkflowActionRequested), typeof(GrowthOps.Contracts.Segments.AddToSegment),
        typeof(GrowthOps.Contracts.Leads.Commands.PredictNextState),
        typeof(GrowthOps.Contracts.Cortex.EnrollInSequence), typeof(GrowthOps.Contracts.Cortex.StopSequence),
    ];

    /// <summary>A short retry schedule (the seed's is minutes to hours): 0.2 s, then 0.4 s, then dead letter.</summary>
    protected override IDictionary<string, string?> CommonSettings => new Dictionary<string, string?>
    {
        ["Cortex:Retries:0"] = "00:00:00.200",
        ["Cortex:Retries:1"] = "00:00:00.400",
        ["Cortex:SecretsKey"] = Convert.ToBase64String("growthops-test-cortex-secrets-32"u8.ToArray()),
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

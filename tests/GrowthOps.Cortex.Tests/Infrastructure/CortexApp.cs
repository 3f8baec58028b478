using System.Text.Json;

namespace GrowthOps.Cortex.Tests.Infrastructure;

/// <summary>
/// The Cortex service in process on its own PostgreSQL database and RabbitMQ virtual host. One per test class. Its clients hold
/// every call to the service's OpenAPI document (<see cref="ServiceApp{TProgram}"/>).
/// </summary>
public class CortexApp() : ServiceApp<Program>("cortex")
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    protected override Type[] Collect => [];

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        return options;
    }
}

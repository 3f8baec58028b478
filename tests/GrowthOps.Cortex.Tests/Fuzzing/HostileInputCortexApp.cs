namespace GrowthOps.Cortex.Tests.Fuzzing;

/// <summary>
/// Cortex on a real Kestrel port (the gateway can proxy to it, and paths reach it as a client wrote them), with the outbox
/// relay and the scheduler off: nothing writes in the background, so a tenant's stored state read before and after a request
/// shows exactly what that request wrote.
/// </summary>
public sealed class HostileInputCortexApp : CortexApp
{
    public HostileInputCortexApp()
    {
        var port = ChildProcess.FreePort();
        Address = new Uri($"http://127.0.0.1:{port}");
        UseKestrel(port);
        ClientOptions.BaseAddress = Address;
    }

    public Uri Address { get; }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:EnableOutboxRelay"] = "false",
        ["Messaging:EnableScheduler"] = "false",
    };
}

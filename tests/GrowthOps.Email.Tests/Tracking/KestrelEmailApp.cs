namespace GrowthOps.Email.Tests.Tracking;

/// <summary>Email on a real Kestrel port, so that the gateway can proxy to it.</summary>
public sealed class KestrelEmailApp : EmailApp
{
    public KestrelEmailApp()
    {
        var port = ChildProcess.FreePort();
        Address = new Uri($"http://127.0.0.1:{port}");
        UseKestrel(port);
        ClientOptions.BaseAddress = Address;
    }

    public Uri Address { get; }
}

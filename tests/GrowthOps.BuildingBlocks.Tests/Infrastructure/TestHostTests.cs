using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>A test class with its own database, virtual host and in-process test host, created before and dropped after it.</summary>
public abstract class TestHostTests(string virtualHostPrefix) : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;
    protected TestVirtualHost Vhost { get; private set; } = null!;
    protected TestHostApp App { get; private set; } = null!;

    /// <summary>Settings that differ from <see cref="TestHostSettings"/>'s for this class.</summary>
    protected virtual IDictionary<string, string?>? Overrides => null;

    /// <summary>Whether the host runs on a real Kestrel port rather than in memory.</summary>
    protected virtual bool OnKestrel => false;

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        Vhost = await TestVirtualHost.CreateAsync(virtualHostPrefix);
        App = await new TestHostApp(TestHostSettings.For(Db, Vhost, Overrides), OnKestrel).StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}

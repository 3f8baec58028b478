using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GrowthOps.Testing;

/// <summary>
/// A bus of the test's own in a test virtual host: publishes into it, and collects the events the service under test
/// publishes (through a queue of its own bound to their exchanges), so tests assert on what really crossed RabbitMQ.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    readonly IHost _host;
    readonly Collected _collected;

    TestBus(IHost host, Collected collected)
    {
        _host = host;
        _collected = collected;
    }

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public static async Task<TestBus> StartAsync(TestVirtualHost vhost, params Type[] collect)
    {
        var collected = new Collected();
        var host = Host.CreateDefaultBuilder().ConfigureServices(services =>
        {
            services.AddSingleton(collected);
            services.AddMassTransit(x =>
            {
                foreach (var type in collect)
                    x.AddConsumer(typeof(CollectingConsumer<>).MakeGenericType(type)).Endpoint(e => e.Name = $"test-collector-{type.Name}");
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(TestEnvironment.RabbitHost, TestEnvironment.RabbitPort, vhost.Name, h =>
                    {
                        h.Username(TestEnvironment.RabbitUser);
                        h.Password(TestEnvironment.RabbitPassword);
                    });
                    cfg.ConfigureEndpoints(context);
                });
            });
            services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        }).Build();
        await host.StartAsync();
        return new TestBus(host, collected);
    }

    /// <summary>Everything of type <typeparamref name="T"/> received so far.</summary>
    public IReadOnlyList<T> Received<T>() where T : class =>
        _collected.Messages.TryGetValue(typeof(T), out var bag) ? bag.Cast<T>().ToList() : [];

    /// <summary>Waits until a received <typeparamref name="T"/> matches.</summary>
    public Task<T> WaitFor<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : class =>
        Eventually.Until(() => Task.FromResult(Received<T>().FirstOrDefault(match)), m => m is not null, timeout ?? TimeSpan.FromSeconds(20),
            $"a {typeof(T).Name} arrives")!;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public sealed class Collected
    {
        public ConcurrentDictionary<Type, ConcurrentQueue<object>> Messages { get; } = new();
    }

    sealed class CollectingConsumer<T>(Collected collected) : IConsumer<T>
        where T : class
    {
        public Task Consume(ConsumeContext<T> context)
        {
            collected.Messages.GetOrAdd(typeof(T), _ => new ConcurrentQueue<object>()).Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }
}

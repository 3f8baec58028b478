using System.Net;
using System.Net.Http.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrowthOps.BuildingBlocks.Tests.Persistence;

public sealed class Forgetting_expired_idempotency_keys() : TestHostTests("idemgc")
{
    protected override IDictionary<string, string?>? Overrides => new Dictionary<string, string?>
    {
        ["Idempotency:CleanupInterval"] = "00:00:00.200",
        ["Idempotency:CleanupBatchSize"] = "7",
    };

    [Fact]
    public async Task The_service_deletes_expired_keys_of_every_tenant_and_keeps_live_ones()
    {
        var tenant = Guid.NewGuid();
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(new { amount = 1m }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "live-key");
        Assert.Equal(HttpStatusCode.Created, (await App.ClientFor(tenant).SendAsync(request)).StatusCode);

        await Db.ScalarAsync<int>("""
            insert into testhost.idempotency_keys (tenant_id, key, request, request_hash, status, body, expires_at)
            select gen_random_uuid(), 'k' || i, 'POST /orders', '\x00', 201, '\x7b7d', now() - interval '1 minute'
            from generate_series(1, 30) i
            """);

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where expires_at < now()"), n => n == 0,
            TimeSpan.FromSeconds(30), "the clean-up deletes the expired keys");
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where tenant_id = $1 and key = 'live-key'", tenant));
    }

    [Theory]
    [InlineData("Idempotency:Retention", "00:00:10")]
    [InlineData("Idempotency:Retention", "31.00:00:00")]
    [InlineData("Idempotency:CleanupBatchSize", "0")]
    public async Task A_service_with_invalid_idempotency_options_does_not_start(string key, string value)
    {
        await using var app = new TestHostApp(TestHostSettings.For(Db, Vhost, new Dictionary<string, string?> { [key] = value }));
        Assert.ThrowsAny<Exception>(() => app.CreateClient());

        // Why: the options' validation names the setting. Checked on the options pipeline itself, because when a host fails to
        // start the test factory may surface its own disposal (ObjectDisposedException) instead of the start's exception.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var services = new ServiceCollection();
        services.AddOptions<IdempotencyOptions>().Bind(configuration.GetSection(IdempotencyOptions.Section)).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<IdempotencyOptions>>().Value);
        Assert.Contains(key.Split(':')[1], refused.Message, StringComparison.Ordinal);
    }
}

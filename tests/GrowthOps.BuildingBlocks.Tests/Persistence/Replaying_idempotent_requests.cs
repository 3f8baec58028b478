using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace GrowthOps.BuildingBlocks.Tests.Persistence;

/// <summary><c>POST /orders</c> of the test host opts in with <c>WithIdempotency</c>; without a key every POST places an order.</summary>
public sealed class Replaying_idempotent_requests() : TestHostTests("idem")
{
    // The clean-up runs once at start and then not again during these tests, so they control what expires.
    protected override IDictionary<string, string?>? Overrides => new Dictionary<string, string?> { ["Idempotency:CleanupInterval"] = "1.00:00:00" };

    static string NewKey() => $"\"{Guid.NewGuid()}\"";

    static HttpRequestMessage Order(object body, string? key, string url = "/orders")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    Task<long> OrdersOf(Guid tenant) => Db.ScalarAsync<long>("select count(*) from testhost.orders where tenant_id = $1", tenant);

    static async Task<Guid> IdOf(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    static bool Replayed(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true";

    [Fact]
    public async Task A_retry_gets_the_first_response_again_and_the_order_is_placed_once()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = Guid.NewGuid().ToString();

        var first = await client.SendAsync(Order(new { amount = 12.5m }, $"\"{key}\""));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var firstBody = await first.Content.ReadAsByteArrayAsync();

        // The bare form of the same key is the same key.
        foreach (var sent in new[] { $"\"{key}\"", key })
        {
            var retry = await client.SendAsync(Order(new { amount = 12.5m }, sent));
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            Assert.True(Replayed(retry));
            Assert.Equal(first.Headers.Location, retry.Headers.Location);
            Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
            Assert.Equal(firstBody, await retry.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1L, await OrdersOf(tenant));
        var order = JsonSerializer.Deserialize<JsonElement>(firstBody).GetProperty("id").GetGuid();
        // OrderPlaced went through the outbox once: its consumer (behind the inbox) records one effect per message.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0, TimeSpan.FromSeconds(30),
            "the relay sends every outbox row");
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", order), n => n >= 1,
            TimeSpan.FromSeconds(30), "the OrderPlaced consumer records the order");
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", order));
    }

    [Fact]
    public async Task Without_a_key_a_retry_places_another_order()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Order(new { amount = 3m }, null))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Order(new { amount = 3m }, null))).StatusCode);
        Assert.Equal(2L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task The_same_key_for_another_request_is_refused_with_422()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = NewKey();
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Order(new { amount = 10m }, key))).StatusCode);

        foreach (var other in new[] { Order(new { amount = 11m }, key), Order(new { amount = 10m }, key, "/orders?coupon=x") })
        {
            var refused = await client.SendAsync(other);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(422, problem.GetProperty("status").GetInt32());
            Assert.Contains("POST /orders", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(1L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task A_retry_while_the_first_request_is_still_running_gets_409_and_then_the_first_response()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = NewKey();

        // Hold the first request at its insert: a SHARE lock on the table makes every insert wait until it is released.
        await using var blocker = new NpgsqlConnection(Db.AdminConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("lock table testhost.orders in share mode", blocker, hold))
            await lockTable.ExecuteNonQueryAsync();

        var first = client.SendAsync(Order(new { amount = 7m }, key));
        await Eventually.Until(() => Db.ScalarAsync<long>("""
            select count(*) from pg_locks l join pg_class c on c.oid = l.relation
            where l.database = (select oid from pg_database where datname = current_database())
              and c.oid = 'testhost.orders'::regclass and l.mode = 'RowExclusiveLock' and not l.granted
            """), n => n == 1, TimeSpan.FromSeconds(30), "the first request waits for the table lock");

        var concurrent = await client.SendAsync(Order(new { amount = 7m }, key));
        Assert.Equal(HttpStatusCode.Conflict, concurrent.StatusCode);
        Assert.Equal("application/problem+json", concurrent.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(concurrent.Headers.RetryAfter);
        Assert.False(first.IsCompleted);

        await hold.RollbackAsync();
        var completed = await first;
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);

        var retry = await client.SendAsync(Order(new { amount = 7m }, key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(Replayed(retry));
        Assert.Equal(await IdOf(completed), await IdOf(retry));
        Assert.Equal(1L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task Another_tenant_using_the_same_key_gets_its_own_execution()
    {
        var key = NewKey();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var ofA = await App.ClientFor(a).SendAsync(Order(new { amount = 5m }, key));
        var ofB = await App.ClientFor(b).SendAsync(Order(new { amount = 5m }, key));

        Assert.Equal(HttpStatusCode.Created, ofA.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ofB.StatusCode);
        Assert.False(Replayed(ofB));
        Assert.NotEqual(await IdOf(ofA), await IdOf(ofB));
        Assert.Equal(1L, await OrdersOf(a));
        Assert.Equal(1L, await OrdersOf(b));
    }

    [Fact]
    public async Task A_request_refused_as_invalid_stores_nothing_so_the_key_can_be_used_for_the_corrected_one()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = NewKey();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Order(new { amount = 0m }, key))).StatusCode);

        var corrected = await client.SendAsync(Order(new { amount = 4m }, key));
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.False(Replayed(corrected));
        Assert.Equal(1L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task A_request_whose_commit_fails_answers_500_stores_nothing_and_its_retry_executes()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = NewKey();

        // The handler inserts the order and answers 201 (into the buffer); the outbox row, written with the COMMIT, is refused.
        await Db.ScalarAsync<int>("alter table testhost.outbox_message add constraint no_orders check (message_type not like '%OrderPlaced%')");
        var failed = await client.SendAsync(Order(new { amount = 7m }, key));
        await Db.ScalarAsync<int>("alter table testhost.outbox_message drop constraint no_orders");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Null(failed.Headers.Location);
        Assert.Equal(0L, await OrdersOf(tenant));
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where tenant_id = $1", tenant));

        var retry = await client.SendAsync(Order(new { amount = 7m }, key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.False(Replayed(retry));
        Assert.Equal(1L, await OrdersOf(tenant));
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where tenant_id = $1", tenant));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad \\escape\"")]
    [InlineData("\"\"")]
    [InlineData("caf\u00e9")]
    [InlineData("tab\tinside")]
    public async Task A_malformed_key_is_refused_with_400_and_nothing_is_placed(string key)
    {
        var tenant = Guid.NewGuid();
        // Straight into the server: HttpClient would drop or reject some of these values before they are sent.
        var context = await App.Server.SendAsync(http =>
        {
            http.Request.Method = "POST";
            http.Request.Path = "/orders";
            http.Request.Headers.Authorization = $"Bearer {TestTokens.For(tenant)}";
            http.Request.Headers["Idempotency-Key"] = key;
            http.Request.ContentType = "application/json";
            var body = "{\"amount\":1}"u8.ToArray();
            http.Request.ContentLength = body.Length;
            http.Request.Body = new MemoryStream(body);
        });
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        var problem = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task A_key_of_255_characters_is_accepted_and_one_of_256_is_not()
    {
        var client = App.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Order(new { amount = 1m }, new string('k', 255)))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Order(new { amount = 1m }, new string('k', 256)))).StatusCode);
    }

    [Fact]
    public async Task Two_keys_on_one_request_are_refused_with_400()
    {
        var tenant = Guid.NewGuid();
        var request = Order(new { amount = 1m }, null);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new[] { "one", "two" });
        Assert.Equal(HttpStatusCode.BadRequest, (await App.ClientFor(tenant).SendAsync(request)).StatusCode);
        Assert.Equal(0L, await OrdersOf(tenant));
    }

    [Fact]
    public async Task An_expired_key_is_executed_again()
    {
        var tenant = Guid.NewGuid();
        var client = App.ClientFor(tenant);
        var key = NewKey();
        var first = await client.SendAsync(Order(new { amount = 2m }, key));
        Assert.True(await Db.ScalarAsync<bool>(
            "select expires_at between now() + interval '23 hours 59 minutes' and now() + interval '24 hours' from testhost.idempotency_keys where tenant_id = $1",
            tenant));

        await Db.ScalarAsync<int>("update testhost.idempotency_keys set expires_at = now() - interval '1 second' where tenant_id = $1", tenant);
        var again = await client.SendAsync(Order(new { amount = 2m }, key));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.False(Replayed(again));
        var againId = await IdOf(again);
        Assert.NotEqual(await IdOf(first), againId);
        Assert.Equal(2L, await OrdersOf(tenant));

        var replay = await client.SendAsync(Order(new { amount = 2m }, key));
        Assert.True(Replayed(replay));
        Assert.Equal(againId, await IdOf(replay));
    }

    [Fact]
    public async Task The_clean_up_deletes_expired_keys_of_every_tenant_in_bounded_batches_and_keeps_live_ones()
    {
        var live = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.Created, (await App.ClientFor(live).SendAsync(Order(new { amount = 1m }, NewKey()))).StatusCode);
        await Db.ScalarAsync<int>("""
            insert into testhost.idempotency_keys (tenant_id, key, request, request_hash, status, body, expires_at)
            select (array[gen_random_uuid(), gen_random_uuid(), gen_random_uuid()])[1 + i % 3], 'k' || i, 'POST /orders', '\x00', 201, '\x7b7d',
                   now() - make_interval(secs => i)
            from generate_series(1, 250) i
            """);
        Assert.Equal(250L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where expires_at < now()"));

        // The service's own role, with no tenant set: row-level security shows it nothing, expired or not...
        await using var connection = new NpgsqlConnection(Db.ServiceConnectionString);
        await connection.OpenAsync();
        await using (var count = new NpgsqlCommand("select count(*) from testhost.idempotency_keys", connection))
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);

        // ...but the purge removes expired keys of every tenant, at most a batch per call.
        var removed = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            await using var purge = new NpgsqlCommand("select testhost.purge_expired_idempotency_keys(100)", connection);
            removed.Add((int)(await purge.ExecuteScalarAsync())!);
        }

        Assert.Equal([100, 100, 50, 0], removed);
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where expires_at < now()"));
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.idempotency_keys where tenant_id = $1", live));
    }
}

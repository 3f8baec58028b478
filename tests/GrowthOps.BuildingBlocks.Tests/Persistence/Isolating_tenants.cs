using System.Net;
using System.Net.Http.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.BuildingBlocks.Tests.Persistence;

public sealed class Isolating_tenants() : TestHostTests("tenancy")
{
    async Task<Guid> PlaceOrder(Guid tenant, decimal amount)
    {
        var response = await App.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<OrderBody>())!.Id;
    }

    [Fact]
    public async Task Another_tenants_order_is_not_found_and_its_list_is_empty()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var orderOfA = await PlaceOrder(a, 10m);

        var asB = App.ClientFor(b);
        Assert.Equal(HttpStatusCode.NotFound, (await asB.GetAsync($"/orders/{orderOfA}")).StatusCode);
        Assert.Empty((await asB.GetFromJsonAsync<List<OrderBody>>("/orders"))!);

        var asA = App.ClientFor(a);
        Assert.Equal(HttpStatusCode.OK, (await asA.GetAsync($"/orders/{orderOfA}")).StatusCode);
        Assert.Equal([orderOfA], (await asA.GetFromJsonAsync<List<OrderBody>>("/orders"))!.Select(o => o.Id));
    }

    [Fact]
    public async Task A_query_that_forgets_the_tenant_sees_nothing()
    {
        await PlaceOrder(Guid.NewGuid(), 5m);
        Assert.True(await Db.ScalarAsync<long>("select count(*) from testhost.orders") > 0);

        // The service's own role, without app.tenant_id: row-level security is forced even for the table's owner.
        await using var connection = new NpgsqlConnection(Db.ServiceConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from testhost.orders", connection);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Writing_a_row_for_another_tenant_is_rejected()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(Guid.NewGuid());
        await using var cmd = unitOfWork.CreateCommand("insert into testhost.orders (tenant_id, id, amount) values ($1, $2, 1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        await unitOfWork.RollbackAsync();
    }

    [Fact]
    public async Task A_service_role_cannot_touch_another_services_schema()
    {
        // Another service's schema in the same database, owned by its own role.
        await SchemaProvisioner.EnsureAsync(TestEnvironment.PostgresAdmin, Db.Name, "othersvc", "othersvc", "othersvc");
        await using (var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Db.ServiceConnectionString) { Username = "othersvc", Password = "othersvc" }.ConnectionString))
        {
            await other.OpenAsync();
            await using var create = new NpgsqlCommand("create table if not exists othersvc.secrets (id int)", other);
            await create.ExecuteNonQueryAsync();
        }

        await using var connection = new NpgsqlConnection(Db.ServiceConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from othersvc.secrets", connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteScalarAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    sealed record OrderBody(Guid Id, decimal Amount);
}

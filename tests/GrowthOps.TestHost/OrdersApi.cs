using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.TestHost;

public static class OrdersApi
{
    public sealed record PlaceOrderRequest(decimal Amount);

    public sealed record OrderDto(Guid Id, decimal Amount);

    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders");
        group.MapPost("/", Place).WithIdempotency();
        group.MapGet("/", List);
        group.MapGet("/pages", ListPages);
        group.MapGet("/{id}", Get);
        group.MapPost("/with-savepoint", PlaceWithSavepoint);
        return group;
    }

    /// <param name="coupon">Unused: a query parameter the idempotency tests vary (a request's fingerprint covers its query).</param>
    static async Task<Results<Created<OrderDto>, ValidationProblem>> Place(PlaceOrderRequest request, string? coupon, CurrentTenant tenant,
        UnitOfWork unitOfWork, IPublishEndpoint publish, CancellationToken ct)
    {
        if (request.Amount <= 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["amount"] = ["must be positive"] });
        var order = await unitOfWork.InTransactionAsync(() => InsertOrder(tenant.Required, request.Amount, unitOfWork, publish, ct), ct);
        return TypedResults.Created($"/orders/{order.Id}", order);
    }

    public static async Task<OrderDto> PlaceOrder(Guid tenantId, decimal amount, UnitOfWork unitOfWork, IPublishEndpoint publish, CancellationToken ct)
    {
        await unitOfWork.BeginAsync(tenantId, ct);
        try
        {
            var order = await InsertOrder(tenantId, amount, unitOfWork, publish, ct);
            await unitOfWork.CommitAsync(ct);
            return order;
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    static async Task<OrderDto> InsertOrder(Guid tenantId, decimal amount, UnitOfWork unitOfWork, IPublishEndpoint publish, CancellationToken ct)
    {
        var id = NewId.NextGuid();
        await unitOfWork.Connection.ExecuteAsync("insert into testhost.orders (tenant_id, id, amount) values (@tenantId, @id, @amount)",
            new { tenantId, id, amount }, unitOfWork.Transaction);
        await publish.Publish(new OrderPlaced(tenantId, id, amount, DateTimeOffset.UtcNow), ct);
        return new OrderDto(id, amount);
    }

    /// <summary>
    /// Places two orders in one transaction, the first inside a savepoint that is rolled back: only the second order and its
    /// message may commit.
    /// </summary>
    static async Task<Ok<OrderDto[]>> PlaceWithSavepoint(CurrentTenant tenant, UnitOfWork unitOfWork, IPublishEndpoint publish, CancellationToken ct)
    {
        var undone = NewId.NextGuid();
        var kept = NewId.NextGuid();
        await unitOfWork.BeginAsync(tenant.Required, ct);
        try
        {
            await unitOfWork.SavepointAsync("first", ct);
            await unitOfWork.Connection.ExecuteAsync("insert into testhost.orders (tenant_id, id, amount) values (@t, @undone, 1)",
                new { t = tenant.Required, undone }, unitOfWork.Transaction);
            await publish.Publish(new OrderPlaced(tenant.Required, undone, 1, DateTimeOffset.UtcNow), ct);
            await unitOfWork.RollbackToSavepointAsync("first", ct);
            await unitOfWork.Connection.ExecuteAsync("insert into testhost.orders (tenant_id, id, amount) values (@t, @kept, 2)",
                new { t = tenant.Required, kept }, unitOfWork.Transaction);
            await publish.Publish(new OrderPlaced(tenant.Required, kept, 2, DateTimeOffset.UtcNow), ct);
            await unitOfWork.CommitAsync(ct);
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }

        return TypedResults.Ok(new[] { new OrderDto(undone, 1), new OrderDto(kept, 2) });
    }

    // Deliberately no tenant filter in the SQL: row-level security must do it.
    static Task<List<OrderDto>> List(UnitOfWork unitOfWork, CancellationToken ct) =>
        unitOfWork.InTransactionAsync(async () =>
            (await unitOfWork.Connection.QueryAsync<OrderDto>("select id, amount from testhost.orders order by created", transaction: unitOfWork.Transaction))
            .ToList(), ct);

    sealed record OrderRow(Guid Id, decimal Amount, DateTime Created);

    /// <summary>
    /// Newest first, a page at a time: the paging building blocks end to end. <paramref name="minAmount"/> is a multi-word filter
    /// without an attribute, named <c>min_amount</c> on the wire by ServiceDefaults alone.
    /// </summary>
    static async Task<Ok<Page<OrderDto>>> ListPages([AsParameters] PageRequest page, decimal? minAmount, UnitOfWork unitOfWork, CancellationToken ct)
    {
        var sql = new System.Text.StringBuilder("select id, amount, created from testhost.orders where amount >= @minAmount");
        var args = new DynamicParameters(new { minAmount = minAmount ?? decimal.MinValue });
        Keyset.Append(sql, args, page, "created", "id");
        var rows = await unitOfWork.InTransactionAsync(async () =>
            (await unitOfWork.Connection.QueryAsync<OrderRow>(sql.ToString(), args, unitOfWork.Transaction)).ToList(), ct);
        return TypedResults.Ok(Keyset.Page(rows, page, r => (r.Created, r.Id)).Select(r => new OrderDto(r.Id, r.Amount)));
    }

    static async Task<Results<Ok<OrderDto>, NotFound>> Get(Guid id, UnitOfWork unitOfWork, CancellationToken ct)
    {
        var order = await unitOfWork.InTransactionAsync(() => unitOfWork.Connection.QuerySingleOrDefaultAsync<OrderDto>(
            "select id, amount from testhost.orders where id = @id", new { id }, unitOfWork.Transaction), ct);
        return order is null ? TypedResults.NotFound() : TypedResults.Ok(order);
    }
}

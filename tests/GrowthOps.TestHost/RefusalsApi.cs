using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;

namespace GrowthOps.TestHost;

/// <summary>A handler that throws each domain refusal, as a store or a rule deep below a real handler would.</summary>
public static class RefusalsApi
{
    public static IEndpointRouteBuilder MapRefusalsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/refusals/{kind}", Refuse);
        app.MapPost("/refusals/duplicate-order", InsertTwice);
        return app;
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "allowed_targets lists the moves that are allowed.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity)]
    static IResult Refuse(string kind) => throw (kind switch
    {
        "not-found" => new NotFoundException("Order 7 does not exist."),
        "conflict" => new ConflictException("Moving from 'new' to 'won' is not allowed.", new Dictionary<string, object?>
        {
            ["current_state"] = "new",
            ["allowed_targets"] = new[] { new { id = 1, name = "contacted" }, new { id = 2, name = "lost" } },
        }),
        _ => new RuleRefusedException("The transition requires notes."),
    });

    /// <summary>Two requests creating the same thing at once, as a race past a handler's own check ends: a unique violation.</summary>
    [ProducesProblem(StatusCodes.Status409Conflict)]
    static Task<IResult> InsertTwice(CurrentTenant tenant, UnitOfWork unitOfWork, CancellationToken ct) =>
        unitOfWork.InTransactionAsync<IResult>(async () =>
        {
            var id = Guid.NewGuid();
            for (var i = 0; i < 2; i++)
                await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                    "insert into testhost.orders (tenant_id, id, amount) values (@t, @id, 1)", new { t = tenant.Required, id }, ct));
            return TypedResults.Ok();
        }, ct);
}

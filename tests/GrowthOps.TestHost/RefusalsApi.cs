using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;

namespace GrowthOps.TestHost;

/// <summary>A handler that throws each domain refusal, as a store or a rule deep below a real handler would.</summary>
public static class RefusalsApi
{
    public static IEndpointRouteBuilder MapRefusalsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/refusals/{kind}", Refuse);
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
}

using System.Text.Json;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Segments.Apis;

/// <summary>Checks criteria without saving anything, so a segment builder can validate as the user types.</summary>
public static class CriteriaApi
{
    /// <summary><c>criteria</c>: the flat array (with <c>criteria_logic</c>) or a nested group; see <see cref="CriteriaParser"/>.</summary>
    public sealed record CriteriaRequest(JsonElement Criteria, JsonElement? CriteriaLogic = null);

    /// <summary><c>time_dependent</c>: membership can change with no event, as time passes (relative dates, windows).</summary>
    public sealed record CriteriaValidation(bool Valid, bool TimeDependent);

    public static RouteGroupBuilder MapCriteriaApi(this RouteGroupBuilder api)
    {
        api.MapPost("/criteria/validate", Validate).WithTags("Criteria");
        return api;
    }

    static Results<Ok<CriteriaValidation>, ValidationProblem> Validate(CriteriaRequest request, CriteriaCompiler compiler)
    {
        var result = compiler.Parse(request.Criteria, request.CriteriaLogic);
        return result.Criteria is { } criteria
            ? TypedResults.Ok(new CriteriaValidation(true, criteria.IsTimeDependent))
            : TypedResults.ValidationProblem(result.ErrorDictionary());
    }
}

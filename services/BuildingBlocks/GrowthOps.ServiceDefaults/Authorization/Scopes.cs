using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Authorization;

/// <summary>
/// Permissions as OAuth 2.0 scopes. A route that declares <see cref="Scopes.RequireScope{TBuilder}"/> needs a token whose
/// <c>scope</c> claim (space-separated, RFC 8693 / RFC 9068; Azure AD's <c>scp</c> is read too) grants it: the scope itself,
/// its family's wildcard (<c>workflow.*</c>) or <c>*</c>. A token that carries no scope claim at all is a full tenant token
/// (what <c>./growthops token</c> mints without <c>--scope</c>) unless <see cref="AuthOptions.RequireScopes"/> is on; then it
/// holds none. A missing scope is a 403 problem that names it.
/// </summary>
public static class Scopes
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        builder.WithMetadata(new RequiredScope(scope));
        return builder.RequireAuthorization(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(TenantRequirement.Instance, new ScopeRequirement(scope))
            .Build());
    }

    /// <summary>Whether <paramref name="user"/> holds <paramref name="scope"/>.</summary>
    public static bool Grants(ClaimsPrincipal user, string scope, bool requireScopes)
    {
        var claims = user.FindAll("scope").Concat(user.FindAll("scp")).ToList();
        if (claims.Count == 0)
            return !requireScopes;
        var family = scope.Contains('.') ? scope[..scope.IndexOf('.')] + ".*" : null;
        foreach (var claim in claims)
            foreach (var granted in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (granted == "*" || string.Equals(granted, scope, StringComparison.Ordinal) || (family is not null && granted == family))
                    return true;
        return false;
    }

    internal static void AddScopeAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, TenantHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeProblemResultHandler>();
    }
}

/// <summary>Endpoint metadata: the scope a route needs (read by the OpenAPI document).</summary>
public sealed record RequiredScope(string Scope);

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>The token names a tenant (the fallback policy's rule, kept by routes with their own policy).</summary>
public sealed class TenantRequirement : IAuthorizationRequirement
{
    public static readonly TenantRequirement Instance = new();
}

sealed class TenantHandler(IOptions<AuthOptions> options) : AuthorizationHandler<TenantRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantRequirement requirement)
    {
        if (Guid.TryParse(context.User.FindFirst(options.Value.TenantClaim)?.Value, out var tenant) && tenant != Guid.Empty)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

sealed class ScopeHandler(IOptions<AuthOptions> options) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (Scopes.Grants(context.User, requirement.Scope, options.Value.RequireScopes))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>A 403 for a missing scope says which one; everything else is the framework's default (401 challenge, plain 403).</summary>
sealed class ScopeProblemResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden && context.User.Identity?.IsAuthenticated == true &&
            result.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is { } missing &&
            !result.AuthorizationFailure.FailedRequirements.OfType<TenantRequirement>().Any())
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Missing scope",
                    Detail = $"This route needs a token with the scope '{missing.Scope}'.",
                    Extensions = { ["required_scope"] = missing.Scope },
                },
            });
            return;
        }

        await _default.HandleAsync(next, context, policy, result);
    }
}

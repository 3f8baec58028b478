namespace GrowthOps.Testing.Fuzzing;

/// <summary>The property a request broke; with the request's kind, operation and status it names a class of failure.</summary>
public enum FuzzCheck
{
    /// <summary>A 5xx.</summary>
    ServerError,

    /// <summary>No response at all: the connection was dropped, or the request timed out.</summary>
    NoAnswer,

    /// <summary>An error (status 400 or more) whose body is not an <c>application/problem+json</c> problem document.</summary>
    NotAProblem,

    /// <summary>A request that had to be refused was answered with a success.</summary>
    NotRefused,

    /// <summary>Refused, but not with the status its kind calls for (401/403 for a bad token, 405 for a wrong method).</summary>
    WrongStatus,

    /// <summary>A 400 for a bad value that does not name the member or parameter holding it.</summary>
    FieldNotNamed,

    /// <summary>A body the OpenAPI document refuses (wrong type, missing member, over a limit) was accepted.</summary>
    AcceptedOffContract,

    /// <summary>A success response that does not match the OpenAPI document.</summary>
    ResponseOffContract,

    /// <summary>A refused request changed the caller's stored state (rows or outbox).</summary>
    RefusedButWritten,

    /// <summary>The other tenant's stored state changed while only the caller was sending.</summary>
    OtherTenantTouched,

    /// <summary>An id of the other tenant's data appeared in a response to the caller.</summary>
    OtherTenantSeen,

    /// <summary>A filter that matches nothing of the caller's listed something.</summary>
    FilterIgnored,

    /// <summary>A valid request sent alongside the hostile ones failed.</summary>
    ValidRequestFailed,
}

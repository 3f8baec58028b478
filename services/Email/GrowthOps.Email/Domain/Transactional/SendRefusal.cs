namespace GrowthOps.Email.Domain.Transactional;

/// <summary>
/// Why a send cannot be queued. <see cref="Reason"/> is the <c>EmailFailed</c> reason (<c>no_address</c>, <c>render_failed</c>,
/// <c>rejected</c>); <see cref="NotFound"/>: what it names does not exist (the API answers 404, else 422).
/// </summary>
public sealed record SendRefusal(string Reason, string ErrorCode, string Message, bool NotFound = false);

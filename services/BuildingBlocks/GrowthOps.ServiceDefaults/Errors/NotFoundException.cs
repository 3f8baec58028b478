namespace GrowthOps.ServiceDefaults.Errors;

/// <summary>The thing asked for does not exist for this tenant (another tenant's data included: it is not shown to exist).</summary>
public class NotFoundException(string message, IReadOnlyDictionary<string, object?>? details = null) : DomainException(message, details);

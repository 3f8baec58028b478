namespace GrowthOps.Leads.Domain;

/// <summary>
/// A state reference from a request (a name or an id, resolved in the tenant's transaction) or one kept from the stored
/// automation (already an id: a PATCH that does not touch it must not fail because the state was renamed or deleted since).
/// Neither: any state.
/// </summary>
public readonly record struct AutomationStateRef(string? Reference, Guid? Id)
{
    public static readonly AutomationStateRef Any = new(null, null);

    public bool IsAny => Reference is null && Id is null;
}

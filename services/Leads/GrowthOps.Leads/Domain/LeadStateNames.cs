namespace GrowthOps.Leads.Domain;

/// <summary>
/// The names of the default lead states (created for every tenant by <see cref="Data.TenantDefaults"/>). Code that gives a
/// state a meaning — won and lost publish <c>LeadWon</c>/<c>LeadLost</c>, dormant and contacted drive the lifecycle saga, a new
/// contact starts in new — refers to them by these names.
/// </summary>
public static class LeadStateNames
{
    public const string New = "new";
    public const string Contacted = "contacted";
    public const string Qualified = "qualified";
    public const string Proposal = "proposal";
    public const string Negotiation = "negotiation";
    public const string Won = "won";
    public const string Lost = "lost";
    public const string Dormant = "dormant";
}

namespace GrowthOps.Segments.Tests.Domain.Criteria;

/// <summary>Contacts of one tenant and criteria request bodies (<c>{"criteria": …, "criteria_logic": …}</c>) to select among them.</summary>
public sealed record CriteriaScenario(IReadOnlyList<ContactFacts> Contacts, IReadOnlyList<string> Criteria)
{
    public override string ToString() => $"{Contacts.Count} contacts, {Criteria.Count} criteria";
}

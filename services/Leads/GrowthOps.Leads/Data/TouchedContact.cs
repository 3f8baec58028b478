namespace GrowthOps.Leads.Data;

/// <summary>What recording activities wrote to one of their contacts.</summary>
public sealed record TouchedContact(Guid Id, long Version, int? AiScore, DateTime? LastInteractionAt, DateTime Updated)
{
    public void ApplyTo(Contact contact)
    {
        contact.Version = Version;
        contact.AiScore = AiScore;
        contact.LastInteractionAt = LastInteractionAt;
        contact.Updated = Updated;
    }
}

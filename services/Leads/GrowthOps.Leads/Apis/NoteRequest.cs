using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Leads.Apis;

/// <summary>A note on a contact, a deal or both.</summary>
public sealed record NoteRequest(
    [property: MaxLength(NoteRequest.MaxBody), Description("The note's text.")] string Body,
    Guid? ContactId = null,
    Guid? DealId = null)
{
    public const int MaxBody = 20_000;
}

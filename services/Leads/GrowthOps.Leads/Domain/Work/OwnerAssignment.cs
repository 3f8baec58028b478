using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain.Deals;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.Domain.Work;

/// <summary>
/// Gives a contact or a deal an owner — a named, active owner of the tenant, or the next active member of a round-robin
/// group — and publishes <see cref="OwnerAssigned"/> (a contact's owner also shows in its <c>ContactUpdated</c>).
/// </summary>
public sealed class OwnerAssignment(UnitOfWork unitOfWork, OwnersStore owners, ContactsStore contacts, ContactDirectory directory, DealsStore deals,
    DealBook book, IPublishEndpoint publish, TimeProvider clock)
{
    public sealed record Result(string OwnerId, string? PreviousOwnerId);

    public async Task<Result> AssignContactAsync(Guid contactId, string? ownerId, string? group, string? assignedBy, CancellationToken ct)
    {
        var contact = await contacts.GetAsync(contactId, ct, forUpdate: true) ?? throw new NotFoundException($"Contact {contactId} does not exist.");
        var owner = await ChooseAsync(ownerId, group, ct);
        var previous = contact.OwnerId;
        if (previous != owner)
            await directory.PatchAsync(contactId, new ContactFields { OwnerId = new(owner) }, ct);
        await PublishAsync("contact", contactId, owner, previous, group, assignedBy, ct);
        return new Result(owner, previous);
    }

    public async Task<Result> AssignDealAsync(Guid dealId, string? ownerId, string? group, string? assignedBy, CancellationToken ct)
    {
        var deal = await deals.GetAsync(dealId, ct, forUpdate: true) ?? throw new NotFoundException($"No deal {dealId}.");
        var owner = await ChooseAsync(ownerId, group, ct);
        if (deal.OwnerId != owner)
            await book.ChangeAsync(dealId, DealBook.Changes.None with { OwnerId = new(owner) }, "api", assignedBy, ct);
        await PublishAsync("deal", dealId, owner, deal.OwnerId, group, assignedBy, ct);
        return new Result(owner, deal.OwnerId);
    }

    async Task<string> ChooseAsync(string? ownerId, string? group, CancellationToken ct)
    {
        if (group is not null)
        {
            if (await owners.GroupAsync(group, ct) is null)
                throw new NotFoundException($"No owner group '{group}'.");
            return await owners.NextInTurnAsync(group, ct)
                   ?? throw new RuleRefusedException($"No member of the owner group '{group}' is active.", new Dictionary<string, object?> { ["field"] = "group" });
        }
        var owner = await owners.GetAsync(ownerId!, ct);
        if (owner is not { Active: true })
            throw new RuleRefusedException(owner is null ? $"'{ownerId}' is no owner of the tenant (PUT /owners/{{id}} adds one)." : $"The owner '{ownerId}' is not active.",
                new Dictionary<string, object?> { ["field"] = "owner_id" });
        return owner.Id;
    }

    Task PublishAsync(string type, Guid id, string owner, string? previous, string? group, string? assignedBy, CancellationToken ct) =>
        publish.Publish(new OwnerAssigned(unitOfWork.TenantId!.Value, type, id, owner, previous, group, assignedBy, clock.GetUtcNow()), ct);
}

using System.Text.Json;
using Dapper;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Persistence;

namespace GrowthOps.Email.Data;

/// <summary>Reads recipients of the current tenant from the read model.</summary>
public sealed class RecipientsReader(UnitOfWork unitOfWork)
{
    sealed record Row(Guid ContactId, string? Email, string? FirstName, string? LastName, string? Company, string? Phone, string? Timezone,
        bool MarketingConsent, string Attributes);

    const string Columns = "contact_id, email, first_name, last_name, company, phone, timezone, marketing_consent, attributes::text as attributes";

    public async Task<Recipient?> GetAsync(Guid contactId, CancellationToken ct)
    {
        var row = await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from email.recipients where tenant_id = email.current_tenant() and contact_id = @contactId and not deleted",
            new { contactId }, ct));
        return row is null ? null : ToRecipient(row);
    }

    /// <summary>The live contact with this address (the newest one if several share it).</summary>
    public async Task<Recipient?> FindByEmailAsync(string email, CancellationToken ct)
    {
        var row = await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"""
            select {Columns} from email.recipients
             where tenant_id = email.current_tenant() and lower(email) = lower(@email) and not deleted
             order by updated_at desc limit 1
            """, new { email }, ct));
        return row is null ? null : ToRecipient(row);
    }

    static Recipient ToRecipient(Row r) => new(r.ContactId, r.Email, r.FirstName, r.LastName, r.Company, r.Phone, r.Timezone, r.MarketingConsent,
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(r.Attributes)!);
}

using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>Contacts in <c>leads.contacts</c>, always inside the tenant's unit of work (row-level security scopes every query).</summary>
public sealed class ContactsStore(UnitOfWork unitOfWork)
{
    const string Columns = """
        c.id, c.email, c.kind, c.first_name, c.last_name, c.phone, c.company, c.source, c.channel, c.owner_id, c.score, c.timezone,
               c.marketing_consent, c.consent_at, c.attributes::text as attributes_json, c.tags, c.state_id, s.name as state_name,
               c.state_entered_at, c.last_interaction_at, c.created, c.updated, c.email_verified, c.version, c.ai_score,
               coalesce((select array_agg(e.email order by e.added_at, e.email_normalized) from leads.contact_emails e
                         where e.tenant_id = c.tenant_id and e.contact_id = c.id), '{}') as secondary_emails
        """;

    const string From = "from leads.contacts c left join leads.lead_states s on s.tenant_id = c.tenant_id and s.id = c.state_id";

    const string Select = $"select {Columns} {From}";

    public sealed record ListFilter(
        string? State = null, string? Tag = null, string? Kind = null, string? Query = null,
        DateTime? CreatedFrom = null, DateTime? CreatedTo = null, DateTime? InteractionFrom = null, DateTime? InteractionTo = null);

    public Guid TenantId => unitOfWork.TenantId ?? throw new InvalidOperationException("Contacts need a tenant.");

    public Task<Contact?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Contact>(unitOfWork.Command($"{Select} where c.id = @id{(forUpdate ? " for update of c" : "")}", new { id }, ct));

    /// <summary>
    /// The contact, locked for its transition, and the version of the tenant's lead states and transitions (see
    /// <see cref="LeadConfigCache"/>) in the same round trip.
    /// </summary>
    public async Task<(Contact Contact, long ConfigVersion)?> GetForTransitionAsync(Guid id, CancellationToken ct)
    {
        var rows = await unitOfWork.Connection.QueryAsync<Contact, long, (Contact, long)>(unitOfWork.Command($"""
            select {Columns}, coalesce((select t.config_version from leads.tenants t where t.tenant_id = leads.current_tenant()), 0) as config_version
            {From} where c.id = @id for update of c
            """, new { id }, ct), (contact, version) => (contact, version), splitOn: "config_version");
        return rows.Select(r => ((Contact, long)?)r).SingleOrDefault();
    }

    /// <summary>The contact whose email this is: its primary email, else one of its secondary ones (a merged duplicate's).</summary>
    public Task<Contact?> FindByEmailAsync(string email, CancellationToken ct, bool forUpdate = false) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Contact>(unitOfWork.Command($"""
            {Select} where c.id = coalesce(
              (select p.id from leads.contacts p where p.tenant_id = leads.current_tenant() and p.email_normalized = @email),
              (select e.contact_id from leads.contact_emails e where e.tenant_id = leads.current_tenant() and e.email_normalized = @email))
            {(forUpdate ? " for update of c" : "")}
            """, new { email = Contact.Normalize(email) }, ct));

    /// <summary>The survivor a merged duplicate's id now points to; null for an id that was never merged.</summary>
    public Task<Guid?> MergedIntoAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Guid?>(unitOfWork.Command(
            "select survivor_id from leads.contact_merges where tenant_id = leads.current_tenant() and duplicate_id = @id", new { id }, ct));

    /// <summary>
    /// Makes <paramref name="secondary"/>, one of the contact's secondary emails, no longer a secondary one and its current
    /// primary email a secondary one (the caller then writes the new primary email onto the row).
    /// </summary>
    public async Task SwapPrimaryEmailAsync(Contact contact, string secondary, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            delete from leads.contact_emails where tenant_id = leads.current_tenant() and contact_id = @id and email_normalized = @secondary;
            insert into leads.contact_emails (tenant_id, email_normalized, email, contact_id)
            select leads.current_tenant(), @primaryKey::text, @primary::text, @id where @primaryKey::text is not null
            on conflict (tenant_id, email_normalized) do nothing;
            """, new { id = contact.Id, secondary = Contact.Normalize(secondary), primary = contact.Email, primaryKey = Contact.Normalize(contact.Email) }, ct));
        contact.SecondaryEmails = [.. contact.SecondaryEmails.Where(e => Contact.Normalize(e) != Contact.Normalize(secondary)),
            .. contact.Email is null ? Array.Empty<string>() : [contact.Email]];
    }

    /// <summary>Of these ids, the merged duplicates' and the survivor each now points to.</summary>
    public async Task<IReadOnlyDictionary<Guid, Guid>> SurvivorsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid Duplicate, Guid Survivor)>(unitOfWork.Command(
            "select duplicate_id, survivor_id from leads.contact_merges where tenant_id = leads.current_tenant() and duplicate_id = any(@ids)",
            new { ids = ids.ToArray() }, ct))).ToDictionary(r => r.Duplicate, r => r.Survivor);

    public async Task<IReadOnlyList<Contact>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Contact>(unitOfWork.Command($"{Select} where c.id = any(@ids)", new { ids = ids.ToArray() }, ct))).ToList();

    /// <summary>Locked in id order (two batches naming the same contacts lock them one after the other, never crosswise).</summary>
    public async Task<IReadOnlyList<Contact>> GetManyForUpdateAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Contact>(unitOfWork.Command($"{Select} where c.id = any(@ids) order by c.id for update of c",
            new { ids = ids.ToArray() }, ct))).ToList();

    /// <summary>Up to <paramref name="limit"/> contacts after <paramref name="afterId"/> in id order (the primary key's), for paging through all.</summary>
    public async Task<IReadOnlyList<Contact>> PageByIdAsync(Guid? afterId, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Contact>(unitOfWork.Command(
            $"{Select} where c.tenant_id = leads.current_tenant() and (@afterId::uuid is null or c.id > @afterId) order by c.id limit @limit",
            new { afterId, limit }, ct))).ToList();

    /// <summary>
    /// Inserts; false when another contact of the tenant already has the email, as its primary or a secondary one (no row written). The row's version and AI score,
    /// which the database sets, are read back onto <paramref name="contact"/>.
    /// </summary>
    public async Task<bool> TryInsertAsync(Contact contact, CancellationToken ct)
    {
        var written = await unitOfWork.Connection.QuerySingleOrDefaultAsync<Written>(unitOfWork.Command("""
            insert into leads.contacts (tenant_id, id, email, email_normalized, kind, first_name, last_name, phone, company, source, channel, owner_id,
              score, timezone, marketing_consent, consent_at, attributes, tags, state_id, state_entered_at, last_interaction_at, created, updated,
              email_verified)
            select leads.current_tenant(), @Id, @Email, @EmailNormalized, @Kind, @FirstName, @LastName, @Phone, @Company, @Source, @Channel, @OwnerId,
              @Score, @Timezone, @MarketingConsent, @ConsentAt, @AttributesJson::jsonb, @Tags, @StateId, @StateEnteredAt, @LastInteractionAt, @Created, @Updated,
              @EmailVerified
            -- An address that is already a contact's secondary one is that contact's (a merge committed since the caller looked).
            where @EmailNormalized::text is null or not exists (select 1 from leads.contact_emails e
                                                                where e.tenant_id = leads.current_tenant() and e.email_normalized = @EmailNormalized::text)
            on conflict (tenant_id, email_normalized) where email_normalized is not null do nothing
            returning version, ai_score
            """, Params(contact), ct));
        written?.ApplyTo(contact);
        return written is not null;
    }

    /// <summary>Writes the contact whole; its new version and AI score are read back onto it.</summary>
    public async Task UpdateAsync(Contact contact, CancellationToken ct)
    {
        contact.Updated = DateTime.UtcNow;
        var written = await unitOfWork.Connection.QuerySingleAsync<Written>(unitOfWork.Command("""
            update leads.contacts set email = @Email, email_normalized = @EmailNormalized, kind = @Kind, first_name = @FirstName,
              last_name = @LastName, phone = @Phone, company = @Company, source = @Source, channel = @Channel, owner_id = @OwnerId, score = @Score,
              timezone = @Timezone, marketing_consent = @MarketingConsent, consent_at = @ConsentAt, attributes = @AttributesJson::jsonb, tags = @Tags,
              state_id = @StateId, state_entered_at = @StateEnteredAt, last_interaction_at = @LastInteractionAt, updated = @Updated,
              email_verified = @EmailVerified
            where id = @Id
            returning version, ai_score
            """, Params(contact), ct));
        written.ApplyTo(contact);
    }

    sealed record Written(long Version, int? AiScore)
    {
        public void ApplyTo(Contact contact)
        {
            contact.Version = Version;
            contact.AiScore = AiScore;
        }
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.contacts where id = @id", new { id }, ct)) == 1;

    public async Task<Page<Contact>> ListAsync(ListFilter filter, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(Select).Append(" where true");
        var args = new DynamicParameters();
        if (filter.State is { } state)
        {
            sql.Append(" and (s.name = @state or s.id::text = @state)");
            args.Add("state", state);
        }

        if (filter.Tag is { } tag)
        {
            sql.Append(" and c.tags @> array[@tag]");
            args.Add("tag", tag);
        }

        if (filter.Kind is { } kind)
        {
            sql.Append(" and c.kind = @kind");
            args.Add("kind", kind);
        }

        if (filter.Query is { Length: > 0 } query)
        {
            // Prefix search over name, email (also split at '@') and company.
            var terms = string.Join(" & ", query.Split([' ', '@', '.', ',', '-'], StringSplitOptions.RemoveEmptyEntries)
                .Select(t => new string(t.Where(char.IsLetterOrDigit).ToArray())).Where(t => t.Length > 0).Select(t => t.ToLowerInvariant() + ":*"));
            if (terms.Length > 0)
            {
                sql.Append(" and c.search @@ to_tsquery('simple', @terms)");
                args.Add("terms", terms);
            }
        }

        void Range(string column, string name, DateTime? from, DateTime? to)
        {
            if (from is { } f)
            {
                sql.Append($" and c.{column} >= @{name}_from");
                args.Add($"{name}_from", f);
            }

            if (to is { } t)
            {
                sql.Append($" and c.{column} < @{name}_to");
                args.Add($"{name}_to", t);
            }
        }

        Range("created", "created", filter.CreatedFrom, filter.CreatedTo);
        Range("last_interaction_at", "interaction", filter.InteractionFrom, filter.InteractionTo);

        Keyset.Append(sql, args, page, "c.created", "c.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Contact>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, r => (r.Created, r.Id));
    }

    static object Params(Contact c) => new
    {
        c.Id, c.Email, EmailNormalized = Contact.Normalize(c.Email), c.Kind, c.FirstName, c.LastName, c.Phone, c.Company, c.Source, c.Channel,
        c.OwnerId, c.Score, c.Timezone, c.MarketingConsent, c.ConsentAt, c.AttributesJson, c.Tags, c.StateId, c.StateEnteredAt,
        c.LastInteractionAt, c.Created, c.Updated, c.EmailVerified,
    };
}

using Npgsql;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// Fills a tenant's Segments read model straight in SQL (generate_series, as the superuser: one statement per table, no
/// events), with distributions like a real contact base: scores skewed low, a few common tags and a long tail of campaign
/// tags, nine in ten contacts active within the year and a quarter within the month, plan/size/country
/// attributes, lead states weighted towards the start of the pipeline, and activity totals per type.
/// </summary>
static class ReadModelLoader
{
    public static async Task LoadContactsAsync(NpgsqlConnection admin, Guid tenant, int count, double seed, CancellationToken ct)
    {
        await ExecuteAsync(admin, "set synchronous_commit = off", tenant, count, seed, ct);
        await ExecuteAsync(admin, "select setseed(@seed)", tenant, count, seed, ct);
        await ExecuteAsync(admin, """
            insert into segments.contacts (tenant_id, id, version, email, kind, first_name, last_name, company, source, channel, score, ai_score,
              marketing_consent, consent_at, email_verified, attributes, tags, lead_state, state_entered_at, last_interaction_at, created_at, updated_at)
            select @tenant, gen_random_uuid(), 1, 'c' || g || '@bench.test', 'person',
                   (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Ken','Linus'])[1 + g % 8], 'Contact' || g, 'Company ' || g % 5000,
                   (array['web','import','api','referral'])[1 + floor(random() * 4)::int],
                   (array['organic','paid','email','social','direct'])[1 + floor(random() * 5)::int],
                   floor(100 * power(random(), 1.5))::int,
                   case when random() < 0.8 then floor(random() * 101)::int end,
                   t.consent, case when t.consent then t.created end, random() < 0.7,
                   jsonb_build_object('plan', (array['free','starter','pro','enterprise'])[1 + floor(power(random(), 2) * 4)::int],
                                      'employees', floor(power(random(), 3) * 5000)::int,
                                      'country', (array['US','GB','DE','FR','AU','IN','BR'])[1 + floor(random() * 7)::int]),
                   array_remove(array[
                     case when random() < 0.5 then 'newsletter' end, case when random() < 0.2 then 'webinar' end,
                     case when random() < 0.15 then 'trial' end, case when random() < 0.1 then 'customer' end,
                     case when random() < 0.05 then 'vip' end, 'campaign-' || floor(random() * 200)::int], null),
                   (array['new','contacted','qualified','proposal','negotiation','won','lost','dormant'])[1 + floor(power(random(), 1.5) * 8)::int],
                   t.created + (now() - t.created) * random(),
                   case when random() < 0.9 then greatest(t.created, now() - power(random(), 2) * interval '365 days') end,
                   t.created, t.created
              from generate_series(1, @count) g
             cross join lateral (select now() - (random() + g * 0) * interval '730 days' as created, random() < 0.6 as consent) t
            """, tenant, count, seed, ct);
        await ExecuteAsync(admin, """
            insert into segments.contact_activity (tenant_id, contact_id, type, count, first_at, last_at)
            select c.tenant_id, c.id, a.type, 1 + floor(random() * a.mean * 2)::int, c.created_at, coalesce(c.last_interaction_at, c.created_at)
              from segments.contacts c
             cross join (values ('page.viewed', 0.8, 20), ('email.opened', 0.5, 8), ('form.submitted', 0.15, 2), ('checkout.completed', 0.05, 1))
                   as a(type, p, mean)
             where c.tenant_id = @tenant and random() < a.p
            """, tenant, count, seed, ct);
    }

    /// <summary>Up to five activities per contact in the last 90 days, with metadata, for windowed behavioural criteria.</summary>
    public static Task LoadRecentActivitiesAsync(NpgsqlConnection admin, Guid tenant, CancellationToken ct) =>
        ExecuteAsync(admin, """
            insert into segments.activities (tenant_id, id, contact_id, type, occurred_at, metadata)
            select c.tenant_id, gen_random_uuid(), c.id,
                   (array['page.viewed','email.opened','form.submitted','checkout.completed'])[1 + floor(power(random(), 2) * 4)::int],
                   now() - random() * interval '90 days',
                   jsonb_build_object('product', (array['P1','P2P','P3'])[1 + floor(random() * 3)::int], 'amount', floor(random() * 500)::int)
              from segments.contacts c cross join generate_series(1, 5) k
             where c.tenant_id = @tenant and random() < 0.6
            """, tenant, 0, 0, ct);

    public static Task AnalyzeAsync(NpgsqlConnection admin, CancellationToken ct) =>
        ExecuteAsync(admin, "analyze segments.contacts; analyze segments.contact_activity; analyze segments.activities", Guid.Empty, 0, 0, ct);

    static async Task ExecuteAsync(NpgsqlConnection admin, string sql, Guid tenant, int count, double seed, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, admin) { CommandTimeout = 0 };
        if (sql.Contains("@tenant", StringComparison.Ordinal))
            command.Parameters.AddWithValue("tenant", tenant);
        if (sql.Contains("@count", StringComparison.Ordinal))
            command.Parameters.AddWithValue("count", count);
        if (sql.Contains("@seed", StringComparison.Ordinal))
            command.Parameters.AddWithValue("seed", seed);
        await command.ExecuteNonQueryAsync(ct);
    }
}

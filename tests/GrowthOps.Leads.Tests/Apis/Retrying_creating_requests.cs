using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using Npgsql;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>Creating POSTs honour <c>Idempotency-Key</c>: a client that lost a response retries it safely.</summary>
public sealed class Retrying_creating_requests(LeadsApp app) : IClassFixture<LeadsApp>
{
    static HttpRequestMessage Keyed(string url, object? body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body is null ? null : JsonContent.Create(body, options: LeadsApp.Json) };
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    static string NewKey() => $"\"{Guid.NewGuid()}\"";

    static bool Replayed(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true";

    Task<long> ContactsOf(Guid tenant) => app.Database.ScalarAsync<long>("select count(*) from leads.contacts where tenant_id = $1", tenant);

    /// <summary>Hands the first response to nobody, as when a connection drops after the server answered.</summary>
    sealed class LoseFirstResponse : DelegatingHandler
    {
        public HttpStatusCode? Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Lost is not null)
                return response;
            Lost = response.StatusCode;
            response.Dispose();
            throw new HttpRequestException("The connection was reset before the response arrived.");
        }
    }

    [Fact]
    public async Task A_contact_created_again_after_its_response_was_lost_exists_once_and_is_announced_once()
    {
        var tenant = Guid.NewGuid();
        var lose = new LoseFirstResponse();
        var client = app.CreateDefaultClient(lose);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));
        // No email: without the key, the retry would be a second contact.
        var body = new { first_name = "Ada", phone = "+44 20 7946 0000", source = "retry" };
        var key = NewKey();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Keyed("/api/leads/contacts", body, key)));
        Assert.Equal(HttpStatusCode.Created, lose.Lost);

        var retry = await client.SendAsync(Keyed("/api/leads/contacts", body, key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(Replayed(retry));
        var id = (await retry.Json()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/leads/contacts/{id}", retry.Headers.Location?.OriginalString);
        Assert.Equal(1L, await ContactsOf(tenant));

        await app.Events.WaitFor<ContactCreated>(e => e.TenantId == tenant);
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from leads.outbox_message"), n => n == 0, TimeSpan.FromSeconds(30),
            "the relay sends every outbox row");
        // A fence behind it on the same exchange: once it has arrived, a second ContactCreated sent before it would have too.
        var fence = await (await app.ClientFor(tenant).Post("/api/leads/contacts", new { first_name = "Fence", phone = "+1 555 0199" })).Json();
        await app.Events.WaitFor<ContactCreated>(e => e.Contact.Id == fence.GetProperty("id").GetGuid());
        Assert.Equal([id], app.Events.Received<ContactCreated>().Where(e => e.TenantId == tenant && e.Contact.FirstName == "Ada").Select(e => e.Contact.Id));
    }

    [Fact]
    public async Task Without_a_key_the_same_retry_creates_a_second_contact()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var body = new { first_name = "Grace", phone = "+1 555 0100" };
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Keyed("/api/leads/contacts", body, null))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Keyed("/api/leads/contacts", body, null))).StatusCode);
        Assert.Equal(2L, await ContactsOf(tenant));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_with_422_and_creates_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var key = NewKey();
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Keyed("/api/leads/contacts", new { first_name = "Linus", phone = "+358 40 0000" }, key))).StatusCode);

        var refused = await client.SendAsync(Keyed("/api/leads/contacts", new { first_name = "Linux", phone = "+358 40 0000" }, key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1L, await ContactsOf(tenant));
    }

    [Fact]
    public async Task A_retry_while_the_first_is_still_running_gets_409_and_later_the_first_response()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/contacts", new { first_name = "Seeds the tenant", phone = "+1 555 0101" })).StatusCode);
        var key = NewKey();

        // Another transaction inserting the same email, not yet committed: the first request's insert waits for it.
        await using var blocker = new NpgsqlConnection(app.Database.AdminConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
                         "insert into leads.contacts (tenant_id, id, email, email_normalized) values ($1, gen_random_uuid(), 'held@example.com', 'held@example.com')",
                         blocker, hold))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = tenant });
            await insert.ExecuteNonQueryAsync();
        }

        var body = new { email = "held@example.com", first_name = "Held" };
        var first = client.SendAsync(Keyed("/api/leads/contacts", body, key));
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"), n => n >= 1,
            TimeSpan.FromSeconds(30), "the first request waits for the held insert");

        var concurrent = await client.SendAsync(Keyed("/api/leads/contacts", body, key));
        Assert.Equal(HttpStatusCode.Conflict, concurrent.StatusCode);
        Assert.Equal("application/problem+json", concurrent.Content.Headers.ContentType?.MediaType);
        Assert.False(first.IsCompleted);

        await hold.RollbackAsync();
        var completed = await first;
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var created = await completed.Content.ReadAsStringAsync();

        var retry = await client.SendAsync(Keyed("/api/leads/contacts", body, key));
        Assert.True(Replayed(retry));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(created, await retry.Content.ReadAsStringAsync());
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "select count(*) from leads.contacts where tenant_id = $1 and email_normalized = 'held@example.com'", tenant));
    }

    [Fact]
    public async Task Another_tenant_using_the_same_key_gets_a_contact_of_its_own()
    {
        var key = NewKey();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var body = new { email = "same@example.com" };
        var ofA = await app.ClientFor(a).SendAsync(Keyed("/api/leads/contacts", body, key));
        var ofB = await app.ClientFor(b).SendAsync(Keyed("/api/leads/contacts", body, key));
        Assert.Equal(HttpStatusCode.Created, ofA.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ofB.StatusCode);
        Assert.False(Replayed(ofB));
        Assert.NotEqual((await ofA.Json()).GetProperty("id").GetGuid(), (await ofB.Json()).GetProperty("id").GetGuid());
        Assert.Equal(1L, await ContactsOf(a));
        Assert.Equal(1L, await ContactsOf(b));
    }

    [Fact]
    public async Task A_refused_transition_stores_nothing_so_its_retry_executes_once_it_is_allowed()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var id = (await (await client.Post("/api/leads/contacts", new { first_name = "Retry", phone = "+1 555 0102" })).Json()).GetProperty("id").GetGuid();
        var key = NewKey();
        var move = new { to_state = "qualified" };

        // new → qualified is not allowed (409); contacted → qualified is.
        Assert.Equal(HttpStatusCode.Conflict, (await client.SendAsync(Keyed($"/api/leads/contacts/{id}/transitions", move, key))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "contacted" })).StatusCode);

        var retry = await client.SendAsync(Keyed($"/api/leads/contacts/{id}/transitions", move, key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.False(Replayed(retry));
        Assert.Equal("qualified", (await retry.Json()).GetProperty("to_state").GetString());
    }

    [Fact]
    public async Task Every_creating_POST_replays_its_first_response_to_a_retry()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = (await (await client.Post("/api/leads/contacts", new { email = "every@example.com" })).Json()).GetProperty("id").GetGuid();
        var other = (await (await client.Post("/api/leads/contacts", new { email = "bulk@example.com" })).Json()).GetProperty("id").GetGuid();

        (string Url, object? Body)[] requests =
        [
            ("/api/leads/contacts", new { email = "new@example.com", first_name = "New" }),
            ("/api/leads/activities", new { type = "page.viewed", contact_id = contact }),
            ("/api/leads/activities/batch", new { activities = new[] { new { type = "email.opened", contact_id = contact } } }),
            ("/api/leads/states", new { name = "nurturing" }),
            ("/api/leads/transitions", new { from_state = "new", to_state = "qualified" }),
            ($"/api/leads/contacts/{contact}/transitions", new { to_state = "contacted" }),
            ("/api/leads/transitions/bulk", new { contact_ids = new[] { other }, to_state = "contacted" }),
            ("/api/leads/automations", new { name = "tag", trigger = "on_enter", state = "qualified", actions = new[] { new { type = "add_tag", tag = "q" } } }),
            ($"/api/leads/contacts/{contact}/predictions", null),
            ("/api/synthex/leads/state", new { action = "create_state", name = "parked" }),
        ];

        foreach (var (url, body) in requests)
        {
            var key = NewKey();
            var first = await client.SendAsync(Keyed(url, body, key));
            Assert.True(first.IsSuccessStatusCode, $"{url}: {first.StatusCode} {await first.Content.ReadAsStringAsync()}");
            Assert.False(Replayed(first), url);
            var retry = await client.SendAsync(Keyed(url, body, key));
            Assert.True(Replayed(retry), $"{url} is not replayed");
            Assert.Equal(first.StatusCode, retry.StatusCode);
            Assert.Equal(first.Headers.Location, retry.Headers.Location);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        }

        // Each ran once.
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "select count(*) from leads.activities where tenant_id = $1 and type = 'page.viewed'", tenant));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "select count(*) from leads.activities where tenant_id = $1 and type = 'email.opened'", tenant));
        Assert.Equal(2L, await app.Database.ScalarAsync<long>("""
            select count(*) from leads.lead_state_history h join leads.lead_states s on s.tenant_id = h.tenant_id and s.id = h.to_state_id
            where h.tenant_id = $1 and s.name = 'contacted'
            """, tenant));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "select count(*) from leads.lead_state_automations where tenant_id = $1", tenant));
    }
}

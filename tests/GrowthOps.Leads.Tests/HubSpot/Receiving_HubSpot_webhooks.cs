using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using static GrowthOps.Leads.Tests.HubSpot.HubSpotTesting;

namespace GrowthOps.Leads.Tests.HubSpot;

public sealed class Receiving_HubSpot_webhooks(LeadsApp app) : IClassFixture<LeadsApp>
{
    const string Webhook = "/webhooks/hubspot";
    const string Secret = "webhook-test-client-secret";

    readonly Guid _tenant = Guid.NewGuid();
    readonly long _portal = NewId();

    Task ConnectAsync() => app.ConnectHubSpotAsync(_tenant, Secret, _portal);

    async Task<JsonElement> DeliverAsync(HttpRequestMessage request)
    {
        var response = await app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    static void AssertCounts(JsonElement summary, int received, int processed, int duplicates = 0, int skipped = 0, int ignored = 0)
    {
        Assert.Equal("processed", summary.GetProperty("status").GetString());
        Assert.Equal(
            (received, processed, duplicates, skipped, ignored),
            (summary.GetProperty("received").GetInt32(), summary.GetProperty("processed").GetInt32(), summary.GetProperty("duplicates").GetInt32(),
                summary.GetProperty("skipped").GetInt32(), summary.GetProperty("ignored").GetInt32()));
    }

    [Fact]
    public async Task A_v3_signed_contact_event_creates_the_contact_and_later_changes_find_it_by_its_HubSpot_id()
    {
        await ConnectAsync();
        var hubspotId = NewId();
        var created = await DeliverAsync(SignedV3(Webhook, Json(ContactChange(_portal, hubspotId, "email", "Ada@Hub.test")), Secret));
        AssertCounts(created, received: 1, processed: 1);

        var contactCreated = await app.Events.WaitFor<ContactCreated>(e => e.TenantId == _tenant && e.Contact.Email == "Ada@Hub.test");
        Assert.Equal(hubspotId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            contactCreated.Contact.Attributes!["hubspot_contact_id"].GetString());

        // No email in these: the HubSpot id finds the contact.
        var changed = await DeliverAsync(SignedV3(Webhook, Json(
            ContactChange(_portal, hubspotId, "firstname", "Ada"), ContactChange(_portal, hubspotId, "lifecyclestage", "opportunity")), Secret));
        AssertCounts(changed, received: 2, processed: 2);
        var contact = await (await app.ClientFor(_tenant).GetAsync($"/api/leads/contacts/{contactCreated.Contact.Id}")).Json();
        Assert.Equal("Ada", contact.GetProperty("first_name").GetString());
        Assert.Equal("opportunity", contact.GetProperty("attributes").GetProperty("lifecyclestage").GetString());
        await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == contactCreated.Contact.Id && e.ChangedFields.Contains("first_name"));
    }

    [Fact]
    public async Task A_tampered_body_is_refused()
    {
        await ConnectAsync();
        var signed = SignedV3(Webhook, Json(ContactChange(_portal, NewId(), "email", "mallory@hub.test")), Secret);
        var tampered = Request(Webhook, Json(ContactChange(_portal, NewId(), "email", "eve@hub.test")));
        foreach (var header in signed.Headers)
            tampered.Headers.Add(header.Key, header.Value);

        var response = await app.CreateClient().SendAsync(tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_events where tenant_id = $1", _tenant));
    }

    [Fact]
    public async Task A_v3_timestamp_older_than_five_minutes_is_refused()
    {
        await ConnectAsync();
        var body = Json(ContactChange(_portal, NewId(), "email", "replay@hub.test"));
        var response = await app.CreateClient().SendAsync(SignedV3(Webhook, body, Secret, DateTimeOffset.UtcNow.AddMinutes(-6)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("minutes", (await response.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2_and_v1_signatures_are_accepted_and_a_missing_or_wrong_one_is_not()
    {
        await ConnectAsync();
        AssertCounts(await DeliverAsync(SignedV2(Webhook, Json(ContactChange(_portal, NewId(), "email", "v2@hub.test")), Secret)), 1, 1);
        AssertCounts(await DeliverAsync(SignedV1(Webhook, Json(ContactChange(_portal, NewId(), "email", "v1@hub.test")), Secret)), 1, 1);

        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await client.SendAsync(SignedV1(Webhook, Json(ContactChange(_portal, NewId(), "email", "x@hub.test")), "wrong-secret"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await client.SendAsync(Request(Webhook, Json(ContactChange(_portal, NewId(), "email", "y@hub.test"))))).StatusCode);
    }

    [Fact]
    public async Task An_unsigned_or_badly_signed_delivery_is_refused_before_its_body_is_parsed()
    {
        await ConnectAsync();
        var client = app.CreateClient();
        var malformed = new[]
        {
            "{not json", "[null]", "", $$"""[{"eventId":"x","portalId":{{_portal}},"subscriptionType":"contact.creation"}]""",
            $$$"""[{"eventId":1,"portalId":{{{_portal}}},"subscriptionType":"contact.creation","objectId":{"deep":[[[]]]}}]""",
        };
        foreach (var body in malformed)
        {
            var unsigned = await client.SendAsync(Request(Webhook, body));
            Assert.True(unsigned.StatusCode == HttpStatusCode.Unauthorized, $"unsigned {body} → {unsigned.StatusCode}");
            Assert.Equal("application/problem+json", unsigned.Content.Headers.ContentType?.MediaType);
            var wrong = await client.SendAsync(SignedV3(Webhook, body.Length == 0 ? "[]" : body, "not-the-client-secret"));
            Assert.True(wrong.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest, $"wrongly signed {body} → {wrong.StatusCode}");
        }

        // A wrong signature over a body that names the portal is a 401, whatever else the body holds.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedV3(Webhook, malformed[3], "not-the-client-secret"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedV1(Webhook, malformed[4], "not-the-client-secret"))).StatusCode);

        // A string .NET cannot decode (a lone surrogate) never reaches the parser unsigned: refused, never a 500.
        var lone = $$"""[{"eventId":1,"portalId":{{_portal}},"subscriptionType":"\ud800","objectId":5}]""";
        foreach (var request in new[] { Request(Webhook, lone), SignedV3(Webhook, lone, "not-the-client-secret") })
        {
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest, $"{lone} → {response.StatusCode}");
        }

        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_events where tenant_id = $1", _tenant));
    }

    [Fact]
    public async Task A_delivery_to_a_target_url_with_its_own_query_string_is_verified_and_processed()
    {
        await ConnectAsync();
        var path = $"{Webhook}?source=hubspot&app=42";
        AssertCounts(await DeliverAsync(SignedV3(path, Json(ContactChange(_portal, NewId(), "email", "query@hub.test")), Secret)), received: 1, processed: 1);
    }

    [Fact]
    public async Task An_unknown_portal_is_not_found()
    {
        var response = await app.CreateClient().SendAsync(SignedV3(Webhook, Json(ContactChange(NewId(), NewId(), "email", "who@hub.test")), Secret));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_deliveries_are_bad_requests()
    {
        await ConnectAsync();
        var client = app.CreateClient();
        foreach (var body in new[]
                 {
                     "{not json", "42", "[]", "[1]", """[{"eventId":1,"subscriptionType":"contact.creation","objectId":5}]""",
                     $$"""[{"eventId":"x","portalId":{{_portal}},"subscriptionType":"contact.creation"}]""",
                     Json(ContactChange(_portal, 1, "email", "a@hub.test"), ContactChange(NewId(), 2, "email", "b@hub.test")),
                     // Signed, so parsed: a string that is not Unicode, a portal given twice, a portal read differently the second time.
                     $$"""[{"eventId":1,"portalId":{{_portal}},"subscriptionType":"\ud800","objectId":5}]""",
                     $$"""[{"eventId":1,"portalId":{{_portal}},"portalId":{{NewId()}},"subscriptionType":"contact.creation"}]""",
                     $$"""[{"eventId":1,"portalId":{{_portal}},"portal\u0049d":{{NewId()}},"subscriptionType":"contact.creation"}]""",
                 })
        {
            var response = await client.SendAsync(SignedV3(Webhook, body, Secret));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_redelivered_event_has_one_effect()
    {
        await ConnectAsync();
        var deal = NewId();
        var eventId = NewId();
        var body = Json(DealChange(_portal, deal, "dealstage", "appointmentscheduled", eventId));
        AssertCounts(await DeliverAsync(SignedV3(Webhook, body, Secret)), received: 1, processed: 1);
        AssertCounts(await DeliverAsync(SignedV3(Webhook, body, Secret)), received: 1, processed: 0, duplicates: 1);

        // A later event of the same deal, published after the retry was answered, marks that anything the retry published has arrived.
        var marker = NewId();
        await DeliverAsync(SignedV3(Webhook, Json(DealChange(_portal, deal, "dealstage", "closedwon", marker)), Secret));
        await app.Events.WaitFor<DealStageChanged>(e => e.HubSpotEventId == marker && e.TenantId == _tenant);
        Assert.Single(app.Events.Received<DealStageChanged>(), e => e.HubSpotEventId == eventId && e.TenantId == _tenant);
    }

    [Fact]
    public async Task HubSpot_deal_events_create_and_move_the_Leads_deal_with_its_amount_contact_and_close_date()
    {
        await ConnectAsync();
        var deal = NewId();
        var external = deal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hubspotContact = NewId();
        var setup = await DeliverAsync(SignedV3(Webhook, Json(
            ContactChange(_portal, hubspotContact, "email", "buyer@hub.test"),
            DealChange(_portal, deal, "amount", "2250.50"),
            new
            {
                eventId = NewId(), portalId = _portal, occurredAt = NowMs, subscriptionType = "deal.associationChange", associationType = "DEAL_TO_CONTACT",
                fromObjectId = deal, toObjectId = hubspotContact, associationRemoved = false,
            },
            DealChange(_portal, deal, "dealstage", "appointmentscheduled"),
            DealChange(_portal, deal, "dealname", "Hub Corp – 40 seats"),
            DealChange(_portal, deal, "closedate", "1798675200000")), Secret));
        AssertCounts(setup, received: 6, processed: 6);
        // Its first event created the Leads deal, in the pipeline's first stage, which HubSpot's stage then named.
        var opened = await app.Events.WaitFor<DealStageChanged>(e => e.ExternalDealId == external && e.TenantId == _tenant);
        Assert.Equal((null, "appointmentscheduled", "hubspot", _portal), (opened.StageFrom, opened.StageTo, opened.Source, opened.PortalId));
        var leadsDeal = Guid.Parse(opened.DealId);
        var contact = await app.Database.ScalarAsync<Guid>("select contact_id from leads.hubspot_contacts where hubspot_contact_id = $1", hubspotContact);
        var client = app.ClientFor(_tenant);
        var kept = await client.GetJson($"/api/leads/deals/{leadsDeal}");
        Assert.Equal(("Hub Corp – 40 seats", 225050L, "appointmentscheduled", "2026-12-31", "hubspot"), (kept.GetProperty("name").GetString(),
            kept.GetProperty("amount_minor").GetInt64(), kept.GetProperty("stage").GetString(), kept.GetProperty("expected_close_date").GetString(),
            kept.GetProperty("source").GetString()));
        Assert.Equal(external, kept.GetProperty("external_ids").GetProperty("hubspot").GetString());
        Assert.Equal([contact], kept.GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()));

        var second = NewId();
        var moved = await DeliverAsync(SignedV3(Webhook, Json(DealChange(_portal, deal, "dealstage", "qualifiedtobuy", second)), Secret));
        Assert.Equal(external, moved.GetProperty("deal_id").GetString());
        Assert.Equal("qualifiedtobuy", moved.GetProperty("stage_to").GetString());
        var changed = await app.Events.WaitFor<DealStageChanged>(e => e.HubSpotEventId == second && e.TenantId == _tenant);
        Assert.Equal(("appointmentscheduled", "qualifiedtobuy", 2250.50m, contact), (changed.StageFrom, changed.StageTo, changed.Amount, changed.ContactId));
        Assert.Equal((leadsDeal.ToString(), external, "hubspot"), (changed.DealId, changed.ExternalDealId, changed.Source));
        Assert.Equal(["appointmentscheduled", "qualifiedtobuy"], (await client.GetJson($"/api/leads/deals/{leadsDeal}/history")).EnumerateArray()
            .Select(h => h.GetProperty("to_stage").GetString()));

        // HubSpot does not order deliveries: an older change arriving late moves neither its record nor the Leads deal back.
        var stale = await DeliverAsync(SignedV3(Webhook, Json(DealChange(_portal, deal, "dealstage", "presentationscheduled", occurredAt: NowMs - 60_000)), Secret));
        AssertCounts(stale, received: 1, processed: 0, ignored: 1);
        Assert.Equal("qualifiedtobuy", await app.Database.ScalarAsync<string>(
            "select stage from leads.hubspot_deals where tenant_id = $1 and deal_id = $2", _tenant, deal));
        Assert.Equal("qualifiedtobuy", (await client.GetJson($"/api/leads/deals/{leadsDeal}")).GetProperty("stage").GetString());

        // Closed won in HubSpot is won here: Revenue hears DealWon.
        await DeliverAsync(SignedV3(Webhook, Json(DealChange(_portal, deal, "dealstage", "closedwon")), Secret));
        var won = await app.Events.WaitFor<DealWon>(e => e.DealId == leadsDeal);
        Assert.Equal((225050L, "USD"), (won.AmountMinor, won.Currency));

        // A custom HubSpot stage no pipeline here has: the Leads deal stays, the move is still announced with HubSpot's stage.
        var custom = NewId();
        await DeliverAsync(SignedV3(Webhook, Json(DealChange(_portal, deal, "dealstage", "83514523", custom)), Secret));
        var announced = await app.Events.WaitFor<DealStageChanged>(e => e.HubSpotEventId == custom && e.TenantId == _tenant);
        Assert.Equal(("closedwon", "83514523", leadsDeal.ToString()), (announced.StageFrom, announced.StageTo, announced.DealId));
        Assert.Equal("closedwon", (await client.GetJson($"/api/leads/deals/{leadsDeal}")).GetProperty("stage").GetString());
        Assert.Single((await client.GetJson("/api/leads/deals")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_seeds_single_event_example_works_on_the_compatibility_route_behind_the_gateway()
    {
        await ConnectAsync();
        var body = $$"""{"objectId":12345,"propertyName":"dealstage","propertyValue":"appointment_scheduled","eventType":"deal.propertyChange","portalId":{{_portal}}}""";
        // HubSpot signed the public URL; the gateway forwards with X-Forwarded-Proto/Host.
        var request = SignedV3("/api/webhook/hubspot", body, Secret, publicBase: "https://hooks.growthops.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "hooks.growthops.example");

        var summary = await DeliverAsync(request);
        AssertCounts(summary, received: 1, processed: 1);
        Assert.Equal("12345", summary.GetProperty("deal_id").GetString());
        Assert.Equal("appointment_scheduled", summary.GetProperty("stage_to").GetString());
        // The seed's stage spelling is the default pipeline's appointmentscheduled: the deal is created there.
        var changed = await app.Events.WaitFor<DealStageChanged>(e => e.TenantId == _tenant && e.ExternalDealId == "12345");
        Assert.Equal("appointmentscheduled", changed.StageTo);
        Assert.Null(changed.ContactId);
        Assert.Equal("HubSpot deal 12345", (await app.ClientFor(_tenant).GetJson($"/api/leads/deals/{changed.DealId}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_value_longer_than_HubSpot_allows_is_a_bad_request_and_nothing_is_recorded()
    {
        await ConnectAsync();

        var response = await app.CreateClient().SendAsync(SignedV3(Webhook, Json(ContactChange(_portal, NewId(), "firstname", new string('x', 65_537))), Secret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("propertyValue", (await response.Json()).GetProperty("detail").GetString());
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_events where tenant_id = $1", _tenant));
    }

    [Fact]
    public async Task An_event_a_contacts_limits_refuse_is_skipped_and_the_delivery_acknowledged()
    {
        await ConnectAsync();
        var full = Enumerable.Range(0, 100).ToDictionary(i => $"a{i}", i => (object?)i);
        var id = await app.ClientFor(_tenant).CreateContact(new { email = "full@hub.test", attributes = full });

        // Linking the contact would add hubspot_contact_id, its 101st attribute.
        var summary = await DeliverAsync(SignedV3(Webhook, Json(ContactChange(_portal, NewId(), "email", "full@hub.test")), Secret));

        AssertCounts(summary, received: 1, processed: 0, skipped: 1);
        Assert.False((await app.ClientFor(_tenant).Contact(id)).GetProperty("attributes").TryGetProperty("hubspot_contact_id", out _));
    }

    [Fact]
    public async Task Events_that_cannot_be_applied_are_counted_and_acknowledged()
    {
        await ConnectAsync();
        var summary = await DeliverAsync(SignedV3(Webhook, Json(
            ContactChange(_portal, NewId(), "firstname", "Nobody"),
            ContactChange(_portal, NewId(), "favourite_colour", "teal"),
            new { eventId = NewId(), portalId = _portal, occurredAt = NowMs, subscriptionType = "company.creation", objectId = NewId() }), Secret));
        AssertCounts(summary, received: 3, processed: 0, skipped: 1, ignored: 2);
        Assert.False(summary.TryGetProperty("deal_id", out _));
        Assert.Equal(3L, await app.Database.ScalarAsync<long>("select count(*) from leads.hubspot_events where tenant_id = $1", _tenant));
    }
}

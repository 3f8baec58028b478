using System.Net;
using System.Text;

namespace GrowthOps.Leads.Tests.Compatibility;

/// <summary>The seeds' <c>/api/synthex/leads/state</c> routes, with the seed's request bodies verbatim.</summary>
public sealed class Using_the_seed_routes(LeadsApp app) : IClassFixture<LeadsApp>
{
    static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_seed_example_executes_a_transition_with_camel_case_fields()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var lead = await client.CreateContact("seed@example.com");
        var transitions = await (await client.GetAsync("/api/synthex/leads/state?type=transitions")).Json();
        var toContacted = transitions.EnumerateArray()
            .Single(t => t.GetProperty("from_state").GetString() == "new" && t.GetProperty("to_state").GetString() == "contacted").GetProperty("id").GetGuid();

        var response = await client.PostAsync("/api/synthex/leads/state", Raw($$"""
            {
              "tenantId": "{{tenant}}",
              "action": "execute_transition",
              "transition_id": "{{toContacted}}",
              "lead_id": "{{lead}}",
              "notes": "Qualified after demo call",
              "triggeredBy": "user-uuid"
            }
            """));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var entry = await response.Json();
        Assert.Equal("contacted", entry.GetProperty("to_state").GetString());
        Assert.Equal("user-uuid", entry.GetProperty("triggered_by").GetString());

        var history = await (await client.GetAsync($"/api/synthex/leads/state?type=history&lead_id={lead}")).Json();
        Assert.Equal("Qualified after demo call", history.EnumerateArray().Single().GetProperty("notes").GetString());
    }

    [Fact]
    public async Task A_tenantId_in_the_body_that_is_not_the_tokens_is_forbidden()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.PostAsync("/api/synthex/leads/state", Raw($$"""
            { "tenantId": "{{Guid.NewGuid()}}", "action": "create_state", "name": "sneaky" }
            """));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var states = await (await client.GetAsync("/api/synthex/leads/state?type=states")).Json();
        Assert.DoesNotContain(states.EnumerateArray(), s => s.GetProperty("name").GetString() == "sneaky");
    }

    [Fact]
    public async Task Every_get_type_and_post_action_answers()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var lead = (await (await client.Post("/api/leads/contacts", new { email = "types@example.com" })).Json()).GetProperty("id").GetGuid();

        foreach (var type in new[] { "stats", "states", "transitions", "automations", "metrics" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/synthex/leads/state?type={type}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/synthex/leads/state?type=predictions&lead_id={lead}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/synthex/leads/state?type=history")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/synthex/leads/state?type=nonsense")).StatusCode);

        var state = await client.PostAsync("/api/synthex/leads/state", Raw("""{"action":"create_state","name":"on_hold","color":"gray","is_terminal":false}"""));
        Assert.Equal(HttpStatusCode.Created, state.StatusCode);
        var stateId = (await state.Json()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/synthex/leads/state", Raw($$"""{"action":"update_state","state_id":"{{stateId}}","color":"black"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/synthex/leads/state", Raw("""{"action":"create_transition","from_state":"new","to_state":"on_hold"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/synthex/leads/state", Raw($$"""{"action":"execute_transition","lead_id":"{{lead}}","to_state":"on_hold"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/synthex/leads/state", Raw($$"""{"action":"predict","lead_id":"{{lead}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/synthex/leads/state", Raw("""
            {"action":"create_automation","name":"tag hot","trigger":"on_enter","state":"qualified","actions":[{"type":"add_tag","tag":"hot"}]}
            """))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/synthex/leads/state", Raw($$"""{"action":"delete_state","state_id":"{{stateId}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/synthex/leads/state", Raw("""{"action":"explode"}"""))).StatusCode);
    }

    [Theory]
    [InlineData("""{"action":1}""", "action")]
    [InlineData("""{"action":["create_state"]}""", "action")]
    [InlineData("""{"action":{"name":"create_state"}}""", "action")]
    [InlineData("""{"action":true}""", "action")]
    [InlineData("""{"action":"create_state","tenantId":true}""", "tenant_id")]
    [InlineData("""{"action":"create_state","tenantId":42}""", "tenant_id")]
    [InlineData("""{"action":"create_state","tenant_id":{}}""", "tenant_id")]
    [InlineData("""{"action":"create_state","tenantId":"not-a-tenant"}""", "tenant_id")]
    [InlineData("""{"action":"create_state","tenantId":null,"tenant_id":null}""", "tenant_id")]
    [InlineData("""{"action":"create_state","name":1}""", "name")]
    [InlineData("""{"action":"create_state","name":"ok_name","position":"1"}""", "position")]
    [InlineData("""{"action":"create_state","name":"ok_name","isTerminal":"yes"}""", "is_terminal")]
    [InlineData("""{"action":"create_state","name":"ok_name","color":[]}""", "color")]
    [InlineData("""{"action":"update_state","state_id":5,"color":"red"}""", "state_id")]
    [InlineData("""{"action":"update_state","stateId":"0123456789abcdef0123456789abcdef","position":{}}""", "position")]
    [InlineData("""{"action":"delete_state","id":false}""", "id")]
    [InlineData("""{"action":"create_transition","to_state":false}""", "to_state")]
    [InlineData("""{"action":"create_transition","toStateId":"won","requiresNotes":"true"}""", "requires_notes")]
    [InlineData("""{"action":"execute_transition","lead_id":true,"to_state":"won"}""", "lead_id")]
    [InlineData("""{"action":"execute_transition","leadId":"0123456789abcdef0123456789abcdef","notes":{}}""", "notes")]
    [InlineData("""{"action":"execute_transition","leadId":"0123456789abcdef0123456789abcdef","transitionId":7}""", "transition_id")]
    [InlineData("""{"action":"predict","leadId":[]}""", "lead_id")]
    [InlineData("""{"action":"create_state","name":"ok_name","color":"gray","lead_id":{"fuzz":1}}""", "lead_id")]
    [InlineData("""{"action":"create_state","name":"ok_name","color":"gray","state_id":"not-a-state-id"}""", "state_id")]
    [InlineData("""{"action":"predict","contact_id":1.5}""", "contact_id")]
    [InlineData("""{"action":"create_automation","name":5,"trigger":"on_enter","state":"won","actions":[{"type":"add_tag","tag":"x"}]}""", "name")]
    public async Task A_member_of_the_wrong_json_type_is_a_400_naming_it(string body, string field)
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.PostAsync("/api/synthex/leads/state", Raw(body));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{body} → {errors.GetRawText()}");
        var states = await (await client.GetAsync("/api/synthex/leads/state?type=states")).Json();
        Assert.DoesNotContain(states.EnumerateArray(), s => s.GetProperty("name").GetString() == "ok_name");
    }

    [Fact]
    public async Task The_get_route_takes_tenant_and_lead_in_snake_or_camel_case_and_nothing_else()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var lead = await client.CreateContact("query@example.com");
        await client.Transition(lead, "contacted");

        foreach (var query in new[] { $"lead_id={lead}&tenant_id={tenant}", $"leadId={lead}&tenantId={tenant}" })
            Assert.Single((await client.GetJson($"/api/synthex/leads/state?type=history&{query}")).EnumerateArray());

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/synthex/leads/state?type=states&tenantId={Guid.NewGuid()}")).StatusCode);
        foreach (var (query, parameter) in new[]
                 {
                     ("type=states&lead=1", "lead"), ($"type=history&lead_id={lead}&leadId={lead}", "leadId"), ("type=states&type=stats", "type"),
                 })
        {
            var response = await client.GetAsync($"/api/synthex/leads/state?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(parameter, out _), query);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/synthex/leads/state?type=history&lead_id=not-a-contact")).StatusCode);
    }
}

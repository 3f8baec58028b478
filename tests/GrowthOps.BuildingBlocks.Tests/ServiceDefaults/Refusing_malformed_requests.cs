using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

/// <summary>What ServiceDefaults refuses for every service before an endpoint runs, on a real Kestrel port.</summary>
public sealed class Refusing_malformed_requests() : TestHostTests("edge")
{
    readonly Guid _tenant = Guid.NewGuid();

    protected override bool OnKestrel => true;

    static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _));
        return problem;
    }

    static async Task<JsonElement> AssertNamesAsync(HttpResponseMessage response, string field)
    {
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} is not named in {problem}");
        return problem;
    }

    Task<long> OrdersAsync() => Db.ScalarAsync<long>("select count(*) from testhost.orders");

    [Theory]
    [InlineData("/..")]
    [InlineData("/%2E%2E")]
    [InlineData("/.%2e")]
    [InlineData("/./..")]
    public async Task A_dot_segment_is_refused_rather_than_resolved_to_another_route(string trick)
    {
        // Resolved, /orders/<id>/.. is /orders/: the list instead of one order.
        var client = App.CarelessClientFor(_tenant);

        var path = $"/orders/{Guid.NewGuid()}{trick}";

        var response = await client.GetAsync(CarelessClient.Target(App.ServerAddress, path));

        // The problem names the path as written, not the one the server would have resolved it to.
        Assert.Equal(path, (await AssertNamesAsync(response, "path")).GetProperty("instance").GetString());
    }

    [Fact]
    public async Task An_encoded_slash_or_backslash_inside_a_segment_is_refused()
    {
        var client = App.CarelessClientFor(_tenant);

        await AssertNamesAsync(await client.PostAsync(CarelessClient.Target(App.ServerAddress, "/refusals/not%2Ffound"), null), "path");
        await AssertNamesAsync(await client.PostAsync(CarelessClient.Target(App.ServerAddress, "/refusals/not%5Cfound"), null), "path");
        await AssertNamesAsync(await client.PostAsync(CarelessClient.Target(App.ServerAddress, "/refusals/%FF"), null), "path");
    }

    [Theory]
    [InlineData("""{"amount": 1, "note": "a\u0000b"}""", "note")]
    [InlineData("""{"amount": 1, "items": [{"name": "x"}, {"name": "\ud800"}]}""", "items[1].name")]
    [InlineData("""{"amount": 1, "items": [[1, "ok"], [2, "\udc00"]]}""", "items[1][1]")]
    [InlineData("""{"amount": 1, "note": "\udc00\ud800"}""", "note")]
    [InlineData("""{"amount": 1, "metadata": {"a\u0000": 1}}""", "metadata")]
    [InlineData("""{"amount": 1, "metadata": {"odd key": "\ud83d"}}""", "metadata['odd key']")]
    [InlineData("""["\u0000"]""", "[0]")]
    public async Task Json_text_that_cannot_be_stored_is_a_400_naming_the_field_with_no_write(string body, string field)
    {
        var response = await App.ClientFor(_tenant).PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertNamesAsync(response, field);
        Assert.Equal(0L, await OrdersAsync());
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_json_string_is_a_400_naming_the_field()
    {
        var content = new ByteArrayContent([.. """{"amount": 1, "note": "caf"""u8, 0xC3, 0x28, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.growthops+json");

        await AssertNamesAsync(await App.ClientFor(_tenant).PostAsync("/orders", content), "note");
        Assert.Equal(0L, await OrdersAsync());
    }

    [Fact]
    public async Task Text_beyond_ascii_and_escaped_surrogate_pairs_are_accepted()
    {
        var body = """{"amount": 3, "note": "caf\u00e9 \ud83d\ude00 ü — 東京"}""";

        var response = await App.ClientFor(_tenant).PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("?unused=a%00b", "unused")]
    [InlineData("?unused=%FF", "unused")]
    [InlineData("?unused=%ED%A0%80", "unused")]
    [InlineData("?un%00used=1", "query")]
    public async Task Query_text_that_cannot_be_stored_is_a_400_naming_the_parameter_even_one_the_endpoint_ignores(string query, string field)
    {
        var response = await App.CarelessClientFor(_tenant).GetAsync(CarelessClient.Target(App.ServerAddress, "/orders" + query));

        await AssertNamesAsync(response, field);
    }

    [Fact]
    public async Task A_header_value_outside_printable_ascii_is_a_400_naming_the_header()
    {
        var client = App.CarelessClientFor(_tenant);
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Note", "café");

        await AssertNamesAsync(await client.GetAsync("/orders"), "X-Note");
    }

    [Fact]
    public async Task A_header_value_that_is_not_utf8_is_a_400_problem_naming_the_header_not_kestrels_bare_400()
    {
        // Latin-1 puts the byte 0xFF on the wire, which no UTF-8 sequence starts with.
        using var client = CarelessClient.Create(App.ServerAddress, Encoding.Latin1);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(_tenant));
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Note", "\u00FF");

        await AssertNamesAsync(await client.GetAsync("/orders"), "X-Note");
    }

    [Fact]
    public async Task A_target_or_headers_over_the_limits_are_414_and_431_problems()
    {
        var client = App.CarelessClientFor(_tenant);
        await Problem(await client.GetAsync("/orders?q=" + new string('x', 100 * 1024)), HttpStatusCode.RequestUriTooLong);

        client.DefaultRequestHeaders.Add("X-Padding", new string('x', 40 * 1024));
        await Problem(await client.GetAsync("/orders"), HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task An_unsupported_method_is_a_405_problem_with_allow_even_without_a_token()
    {
        var response = await App.CreateClient().GetAsync("/refusals/conflict");

        await Problem(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", Assert.Single(response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Errors_are_problems_whatever_the_client_accepts()
    {
        var client = App.ClientFor(_tenant);
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var malformed = await client.PostAsync("/orders", new StringContent("{\"amount\": 12,", Encoding.UTF8, "application/json"));
        var unknown = await client.GetAsync("/no/such/route");
        var refused = await client.PostAsync("/refusals/conflict", null);

        Assert.Equal("Malformed JSON", (await Problem(malformed, HttpStatusCode.BadRequest)).GetProperty("title").GetString());
        await Problem(unknown, HttpStatusCode.NotFound);
        Assert.Equal("new", (await Problem(refused, HttpStatusCode.Conflict)).GetProperty("current_state").GetString());
    }
}

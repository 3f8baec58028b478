using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

/// <summary>
/// Every service's query strings, through the test host's <c>GET /orders/pages</c> (<c>[AsParameters] PageRequest</c> and a
/// <c>decimal? minAmount</c> with no attribute): snake_case names bind, and a name the operation does not declare is a 400.
/// </summary>
public sealed class Naming_query_parameters() : TestHostTests("query")
{
    readonly Guid _tenant = Guid.NewGuid();

    async Task<decimal[]> Amounts(string query)
    {
        var page = await App.ClientFor(_tenant).GetFromJsonAsync<JsonElement>($"/orders/pages?{query}");
        return page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("amount").GetDecimal()).Order().ToArray();
    }

    async Task<JsonElement> Refused(string query)
    {
        var response = await App.ClientFor(_tenant).GetAsync($"/orders/pages?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task A_multi_word_parameter_binds_by_its_snake_case_name_without_an_attribute()
    {
        var client = App.ClientFor(_tenant);
        foreach (var amount in new[] { 1, 5, 9 })
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/orders", new { amount })).StatusCode);

        Assert.Equal([5m, 9m], await Amounts("min_amount=5"));
        Assert.Equal([9m], await Amounts("MIN_AMOUNT=6&limit=5"));
        Assert.Equal([1m, 5m, 9m], await Amounts(""));
    }

    [Theory]
    [InlineData("minAmount=5", "minAmount")]
    [InlineData("minamount=5", "minamount")]
    [InlineData("min_amount=1&bogus=2", "bogus")]
    [InlineData("page_size=2", "page_size")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("limit=1&LIMIT=2", "LIMIT")]
    public async Task An_unknown_or_repeated_query_parameter_is_a_400_naming_it(string query, string parameter)
    {
        var errors = await Refused(query);

        Assert.True(errors.TryGetProperty(parameter, out var messages) || errors.TryGetProperty(parameter.ToLowerInvariant(), out messages), errors.GetRawText());
        Assert.Single(errors.EnumerateObject());
        if (parameter.Contains("limit", StringComparison.OrdinalIgnoreCase))
            Assert.Contains("more than once", messages[0].GetString(), StringComparison.Ordinal);
        else
            Assert.Contains("cursor, limit, min_amount", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operation_without_query_parameters_refuses_any_and_documents_the_400()
    {
        var response = await App.ClientFor(_tenant).GetAsync("/orders?debug=1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("takes none", errors.GetProperty("debug")[0].GetString(), StringComparison.Ordinal);

        var document = await App.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var list = document.GetProperty("paths").GetProperty("/orders").GetProperty("get");
        Assert.True(list.GetProperty("responses").TryGetProperty("400", out _));
        var pages = document.GetProperty("paths").GetProperty("/orders/pages").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()).Order();
        Assert.Equal(["cursor", "limit", "min_amount"], pages);
    }

    [Fact]
    public async Task Endpoints_outside_the_document_are_not_checked()
    {
        Assert.Equal(HttpStatusCode.OK, (await App.CreateClient().GetAsync("/health/live?probe=kubelet")).StatusCode);
    }
}

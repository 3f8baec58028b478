using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

public sealed class Paging_through_lists() : TestHostTests("paging")
{
    readonly Guid _tenant = Guid.NewGuid();

    [Fact]
    public async Task Pages_newest_first_with_the_cursor_it_returns_until_none_follows()
    {
        var client = App.ClientFor(_tenant);
        var placed = new List<Guid>();
        for (var i = 1; i <= 5; i++)
            placed.Add((await (await client.PostAsJsonAsync("/orders", new { amount = i })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("id").GetGuid());

        var seen = new List<Guid>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/orders/pages?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(placed), seen);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    [InlineData("cursor=%25%25", "cursor")]
    public async Task Refuses_a_page_request_out_of_range_naming_the_parameter(string query, string parameter)
    {
        var response = await App.ClientFor(_tenant).GetAsync($"/orders/pages?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), await response.Content.ReadAsStringAsync());
    }

    static string Cursor(string text) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));

    static readonly string Ticks = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static readonly Guid Id = Guid.NewGuid();

    /// <summary>Cursors a client changed: each is a 400 naming <c>cursor</c>, never a 500 nor a page from somewhere else.</summary>
    public static TheoryData<string> TamperedCursors() =>
    [
        Cursor($"-1:{Id:N}"),
        Cursor($"{long.MaxValue}:{Id:N}"),
        Cursor($"99999999999999999999999:{Id:N}"),
        Cursor($"{Ticks}:{Id:N}:extra"),
        Cursor($"{Ticks}"),
        Cursor($"{Ticks}:not-a-guid"),
        Cursor($"+{Ticks}:{Id:N}"),
        Cursor($"0{Ticks}:{Id:N}"),
        Cursor($"{Ticks}:{Id.ToString("N").ToUpperInvariant()}"),
        Cursor($"{Ticks}:{Id:D}"),
        Cursor($"{Ticks}:{Id:N}") + "==",
        "%F0%9F%92%A9",
        "",
    ];

    [Theory]
    [MemberData(nameof(TamperedCursors))]
    public async Task Refuses_a_tampered_cursor_naming_it(string cursor)
    {
        var response = await App.ClientFor(_tenant).GetAsync($"/orders/pages?cursor={cursor}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("cursor", out _),
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Documents_the_page_parameters_and_the_400_they_can_cause()
    {
        var document = await App.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var operation = document.GetProperty("paths").GetProperty("/orders/pages").GetProperty("get");
        var parameters = operation.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["cursor", "limit", "min_amount"], parameters.Keys.Order());
        Assert.Equal(GrowthOps.ServiceDefaults.Paging.PageRequest.MaxLimit, parameters["limit"].GetProperty("schema").GetProperty("maximum").GetInt32());
        Assert.Contains($"{GrowthOps.ServiceDefaults.Paging.PageRequest.DefaultLimit} when absent", parameters["limit"].GetProperty("description").GetString(),
            StringComparison.Ordinal);
        Assert.True(operation.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var page = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var name = page.GetProperty("$ref").GetString()!.Split('/')[^1];
        var properties = document.GetProperty("components").GetProperty("schemas").GetProperty(name).GetProperty("properties");
        Assert.True(properties.TryGetProperty("items", out _) && properties.TryGetProperty("next_cursor", out _));
    }
}

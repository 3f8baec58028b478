using System.Net;
using System.Text;
using Dapper;
using GrowthOps.Persistence;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsClient;

namespace GrowthOps.Segments.Tests.Apis;

/// <summary>A segment's members: filtered and paged, and exported as a streamed CSV attachment.</summary>
public sealed class Listing_segment_members(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static readonly DateTime Day = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A static segment of the tenant holding <paramref name="contacts"/>, the i-th entered i hours after <see cref="Day"/>.</summary>
    async Task<Guid> StaticSegment(Guid tenant, HttpClient client, IReadOnlyList<Guid> contacts)
    {
        var segment = (await client.PostJson("/api/segments/segments", $$"""{"name": "Picked {{Guid.NewGuid():N}}", "kind": "static"}""", HttpStatusCode.Created)).Id();
        foreach (var chunk in contacts.Chunk(1000))
            await client.PostJson($"/api/segments/segments/{segment}/members",
                $$"""{"contact_ids": [{{string.Join(",", chunk.Select(c => $"\"{c}\""))}}]}""", HttpStatusCode.OK);
        await app.InTenantAsync(tenant, services =>
        {
            var unitOfWork = services.GetRequiredService<UnitOfWork>();
            return unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                update segments.segment_membership m set entered_at = @day + make_interval(hours => (t.n - 1)::integer)
                  from unnest(@ids) with ordinality as t(id, n) where m.segment_id = @segment and m.contact_id = t.id
                """, new { day = Day, ids = contacts.ToArray(), segment }));
        });
        return segment;
    }

    static async Task<List<Guid>> AllPages(HttpClient client, string path, int limit)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await client.GetJson($"{path}{separator}limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}");
            var items = page.Items().Select(m => m.GetProperty("contact_id").GetGuid()).ToList();
            Assert.True(items.Count <= limit);
            ids.AddRange(items);
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return ids;
    }

    [Fact]
    public async Task Filters_combine_and_every_page_keeps_them()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contacts = Enumerable.Range(0, 12).Select(i => Snapshot(Guid.CreateVersion7(), 1, i % 2 == 0 ? "Ada" : "Grace") with
        {
            Email = $"person{i}@{(i % 3 == 0 ? "EXAMPLE.org" : "example.com")}", LastName = i == 5 ? "Lovelace" : "Hopper",
            Tags = i % 4 == 0 ? ["vip", "beta"] : ["beta"], LeadState = i < 6 ? "qualified" : "new",
        }).ToList();
        await app.Contacts(tenant, [.. contacts]);
        var ids = contacts.Select(c => c.Id).ToList();
        var segment = await StaticSegment(tenant, client, ids);
        var members = $"/api/segments/segments/{segment}/members";
        // Newest first: the last to enter comes first.
        List<Guid> Expected(Func<int, bool> keep) => Enumerable.Range(0, 12).Where(keep).Reverse().Select(i => ids[i]).ToList();

        Assert.Equal(Expected(i => i % 2 == 0), await AllPages(client, $"{members}?q=aDA", 2));
        Assert.Equal(Expected(i => i % 3 == 0), await AllPages(client, $"{members}?q=example.ORG", 3));
        Assert.Equal(Expected(i => i == 5), await AllPages(client, $"{members}?q=grace%20lovel", 5));
        Assert.Equal(Expected(i => i % 4 == 0), await AllPages(client, $"{members}?tag=VIP", 1));
        Assert.Equal(Expected(i => i < 6 && i % 2 == 1), await AllPages(client, $"{members}?lead_state=qualified&q=grace", 2));
        var after = Uri.EscapeDataString(Day.AddHours(3).ToString("O"));
        var before = Uri.EscapeDataString(Day.AddHours(9).ToString("O"));
        Assert.Equal(Expected(i => i is >= 3 and < 9), await AllPages(client, $"{members}?entered_after={after}&entered_before={before}", 4));
        Assert.Equal(Expected(i => i is >= 3 and < 9 && i % 4 == 0), await AllPages(client, $"{members}?entered_after={after}&entered_before={before}&tag=vip", 1));
        Assert.Equal(Expected(_ => true), await AllPages(client, $"{members}?source=static", 5));
        Assert.Empty(await AllPages(client, $"{members}?source=dynamic", 5));
        Assert.Empty(await AllPages(client, $"{members}?q=%25", 5));

        foreach (var (query, parameter) in new[] { ("source=manual", "source"), ($"q={new string('a', 201)}", "q"), ("entered_after=yesterday", "entered_after") })
        {
            var response = await client.GetAsync($"{members}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            // Our checks name the parameter as on the wire; binding's own message names it as the code does (EnteredAfter).
            Assert.Contains(parameter.Replace("_", "", StringComparison.Ordinal), (await response.Content.ReadAsStringAsync()).Replace("_", "", StringComparison.Ordinal),
                StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Another_tenants_members_are_neither_listed_nor_exported()
    {
        var tenant = Guid.NewGuid();
        var contact = Snapshot(Guid.CreateVersion7(), 1, "Ada");
        await app.Contacts(tenant, contact);
        var segment = await StaticSegment(tenant, app.ClientFor(tenant), [contact.Id]);

        var other = app.ClientFor(Guid.NewGuid());
        await other.GetJson($"/api/segments/segments/{segment}/members", HttpStatusCode.NotFound);
        var export = await other.GetAsync($"/api/segments/segments/{segment}/members.csv");
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        Assert.Equal("application/problem+json", export.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(contact.Id.ToString(), await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_export_streams_thousands_of_members_quoted_and_defused()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        string[] tricky = ["=HYPERLINK(\"http://evil\")", "+1 555", "-2+3", "@SUM(A1)", "Smith, \"Jr\"", "Line one\nLine two", "Zoë", "\tTabbed"];
        var contacts = Enumerable.Range(0, 3000).Select(i => Snapshot(Guid.CreateVersion7(), 1, i < tricky.Length ? tricky[i] : $"Ada{i}")).ToList();
        for (var i = 0; i < contacts.Count; i += 500)
            await app.Contacts(tenant, [.. contacts.Skip(i).Take(500)]);
        var segment = await StaticSegment(tenant, client, contacts.Select(c => c.Id).ToList());

        // Not the checking client, which reads a body whole before the test sees it (the filtered export below goes through it).
        using var raw = app.Server.CreateClient();
        raw.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var response = await raw.GetAsync($"/api/segments/segments/{segment}/members.csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"segment-{segment}-members.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        // Written as it is read: a body built in memory first would have announced its length.
        Assert.Null(response.Content.Headers.ContentLength);
        var text = await response.Content.ReadAsStringAsync();

        var rows = ParseCsv(text);
        Assert.Equal(["contact_id", "email", "first_name", "last_name", "source", "entered_at", "reason"], rows[0]);
        Assert.All(rows, r => Assert.Equal(7, r.Count));
        var byId = rows.Skip(1).ToDictionary(r => Guid.Parse(r[0]));
        Assert.Equal(contacts.Select(c => c.Id).ToHashSet(), byId.Keys.ToHashSet());
        string FirstName(int i) => byId[contacts[i].Id][2];
        Assert.Equal("'=HYPERLINK(\"http://evil\")", FirstName(0));
        Assert.Equal("'+1 555", FirstName(1));
        Assert.Equal("'-2+3", FirstName(2));
        Assert.Equal("'@SUM(A1)", FirstName(3));
        Assert.Equal("Smith, \"Jr\"", FirstName(4));
        Assert.Equal("Line one\nLine two", FirstName(5));
        Assert.Equal("Zoë", FirstName(6));
        Assert.Equal("'\tTabbed", FirstName(7));
        Assert.Contains("\"Smith, \"\"Jr\"\"\"", text, StringComparison.Ordinal);
        Assert.Equal(Day.AddHours(2999), DateTime.Parse(rows[1][5], null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);

        var filtered = ParseCsv(await (await client.GetAsync($"/api/segments/segments/{segment}/members.csv?q=ada299")).Content.ReadAsStringAsync());
        Assert.Equal(Enumerable.Range(2990, 10).Select(i => contacts[i].Id).Reverse().Prepend(contacts[299].Id).ToHashSet(),
            filtered.Skip(1).Select(r => Guid.Parse(r[0])).ToHashSet());
    }

    /// <summary>RFC 4180, read independently of the writer: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"' && field.Length == 0)
                quoted = true;
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.False(c is '"' or '\r' or '\n', $"an unquoted field holds {(int)c} at {i}");
                field.Append(c);
            }
        }

        Assert.True(field.Length == 0 && row.Count == 0, "the last row ends with CRLF");
        return rows;
    }
}

using Npgsql;

namespace GrowthOps.Segments.Tests.Domain.Criteria;

/// <summary>
/// The regex dialect's promise, exhaustively over a table of awkward patterns and texts: PostgreSQL's <c>~</c> on the
/// pattern written for it and .NET on the pattern written for it decide every pair the same way.
/// </summary>
public sealed class Agreeing_on_regexes(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    static readonly string[] Patterns =
    [
        "", "^$", "^a", "a$", "c$", @"k$", "^.$", "^..$", "^.{3}$", "^a.b$", ".", "^[^a]$", "^[^a][^b]$", @"^\w+$", @"^\W$", @"\d", @"^\D$",
        @"\s", @"^\S+$", "[a-c]", "^[A-C]+$", "[Z-a]", "K", "ß", "[É-Ü]", "é", "😀", "^😀$", "😀+", "^(😀|a)+$", @"\.", @"a\.b", @"\\",
        @"\[\]", @"[\]a-]", @"[\d-]", "^(?:ab|a)*$", "^(a|b)*c?$", "a{2}", "^a{2,3}$", "^a{2,}$", "(?:)", "()", "x*", "a|", @"^\t", @"\n",
        @"break$", @"^line\nbreak$", "^.*$", "^[^ ]*$", "^.*?b", "(a+)+$", @"^\S$",
    ];

    static readonly string[] Texts =
    [
        "", "\n", "a\n", "abc", "ABC", "aB", "😀", "a😀b", "😀😀", "é", "É", "ß", "SS", "k", "K", "\u212A", "٣", "\u00A0", "\u2003", "x y",
        "tab\t", "line\nbreak", "trailing break\n", "[]", "]", "a-b", "^$", "\\", "a.b", "aXb", "aaaa", "aa", "ab", "abab", "z", "_", "`",
    ];

    [Fact]
    public async Task PostgreSQL_and_dotnet_decide_every_match_alike()
    {
        var regexes = Patterns.Select(p => PortableRegex.TryParse(p, out var error) ?? throw new InvalidOperationException($"{p}: {error}")).ToArray();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            select t.i::int, p.j::int, (t.v collate "C") ~ p.v
              from unnest($1::text[]) with ordinality t(v, i) cross join unnest($2::text[]) with ordinality p(v, j)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Texts });
        command.Parameters.Add(new NpgsqlParameter { Value = regexes.Select(r => r.PostgresPattern).ToArray() });

        var disagreements = new List<string>();
        var pairs = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pairs++;
            var (text, regex, postgres) = (Texts[reader.GetInt32(0) - 1], regexes[reader.GetInt32(1) - 1], reader.GetBoolean(2));
            if (regex.IsMatch(text) != postgres)
                disagreements.Add($"{regex.Pattern} on {System.Text.Json.JsonSerializer.Serialize(text)}: PostgreSQL {postgres} " +
                                  $"({regex.PostgresPattern}), .NET {!postgres} ({regex.DotNetPattern})");
        }

        Assert.Equal(Texts.Length * Patterns.Length, pairs);
        Assert.Empty(disagreements);
    }

    [Fact]
    public void Matching_ignores_the_case_of_ascii_letters_only()
    {
        var regex = PortableRegex.TryParse("^[a-c]k$", out _)!;
        Assert.True(regex.IsMatch("BK"));
        Assert.False(regex.IsMatch("B\u212A"));
        Assert.False(PortableRegex.TryParse("é", out _)!.IsMatch("É"));
    }
}

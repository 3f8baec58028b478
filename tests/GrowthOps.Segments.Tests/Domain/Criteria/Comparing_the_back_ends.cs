using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using static GrowthOps.Segments.Tests.Domain.Criteria.CriteriaScenarios;

namespace GrowthOps.Segments.Tests.Domain.Criteria;

/// <summary>
/// The issue's equivalence proof: random criteria trees over random contacts, inserted into a real read model, select the
/// same contacts through the SQL back end as through the in-memory predicate (evaluated both on the generated contacts and
/// on the contacts as <see cref="Data.ContactFactsStore"/> loads them back).
/// </summary>
public sealed class Comparing_the_back_ends(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    [Property(MaxTest = 150, Arbitrary = [typeof(CriteriaScenarios)], QuietOnSuccess = true)]
    public async Task Sql_and_the_in_memory_predicate_select_the_same_contacts(CriteriaScenario scenario)
    {
        var tenant = Guid.NewGuid();
        await db.InsertAsync(tenant, scenario.Contacts);
        await db.InTenantAsync(tenant, Now, async (store, _) =>
        {
            var loaded = new List<ContactFacts>();
            foreach (var contact in scenario.Contacts)
                loaded.Add(await store.LoadAsync(contact.Id, default) ?? throw new InvalidOperationException("contact not loaded"));

            foreach (var json in scenario.Criteria)
            {
                using var body = JsonDocument.Parse(json);
                var logic = body.RootElement.TryGetProperty("criteria_logic", out var l) ? l : (JsonElement?)null;
                var parsed = CriteriaParser.Parse(body.RootElement.GetProperty("criteria"), logic, RetentionDays);
                Assert.True(parsed.IsValid, $"generated criteria are valid: {json}\n{string.Join("\n", parsed.Errors)}");
                var criteria = parsed.Criteria!;

                var sql = CriteriaSql.Compile(criteria, Now);
                var bySql = (await store.MatchingIdsAsync(sql, default)).ToHashSet();
                var inMemory = scenario.Contacts.Where(c => CriteriaEvaluator.Matches(criteria, c, Now)).Select(c => c.Id).ToHashSet();
                var afterLoad = loaded.Where(c => CriteriaEvaluator.Matches(criteria, c, Now)).Select(c => c.Id).ToHashSet();
                if (!bySql.SetEquals(inMemory) || !afterLoad.SetEquals(inMemory))
                    Assert.Fail(Report(json, sql, scenario.Contacts, criteria, bySql, inMemory, afterLoad));
            }

            return true;
        });
    }

    static string Report(string json, SqlFragment sql, IReadOnlyList<ContactFacts> contacts, GrowthOps.Conditions.Criteria criteria,
        HashSet<Guid> bySql, HashSet<Guid> inMemory, HashSet<Guid> afterLoad)
    {
        var report = new StringBuilder().AppendLine($"criteria: {json}").AppendLine($"sql: {sql.Sql}");
        foreach (var name in sql.Parameters.ParameterNames)
            report.AppendLine($"  @{name} = {Show(sql.Parameters.Get<object?>(name))}");
        foreach (var c in contacts.Where(c => bySql.Contains(c.Id) != inMemory.Contains(c.Id) || afterLoad.Contains(c.Id) != inMemory.Contains(c.Id)))
        {
            report.AppendLine($"contact {c.Id}: sql {bySql.Contains(c.Id)}, memory {inMemory.Contains(c.Id)}, loaded {afterLoad.Contains(c.Id)}")
                .AppendLine(JsonSerializer.Serialize(c with { Activities = c.Activities }, new JsonSerializerOptions { WriteIndented = false }))
                .AppendLine(JsonSerializer.Serialize(CriteriaEvaluator.Explain(criteria, c, Now)));
        }

        return report.ToString();
    }

    static string Show(object? value) => value switch
    {
        null => "null",
        Array array => "[" + string.Join(", ", array.Cast<object?>().Select(Show)) + "]",
        DateTimeOffset d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

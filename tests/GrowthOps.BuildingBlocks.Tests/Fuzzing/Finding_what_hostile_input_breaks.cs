using GrowthOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace GrowthOps.BuildingBlocks.Tests.Fuzzing;

/// <summary>
/// The fuzzer every service's suite runs (<see cref="HostileInputs"/>) against a service with planted defects: each property
/// it checks has to catch its defect, or a green fuzz test elsewhere would prove nothing.
/// </summary>
public sealed class Finding_what_hostile_input_breaks(DefectiveServiceRun run, ITestOutputHelper output) : IClassFixture<DefectiveServiceRun>
{
    [Theory]
    [InlineData(FuzzCheck.ServerError, "string.nul", "POST /items")]
    [InlineData(FuzzCheck.RefusedButWritten, "json.", "POST /items")]
    [InlineData(FuzzCheck.OtherTenantTouched, "tenant.foreign-id-in-path", "DELETE /items/{id}")]
    [InlineData(FuzzCheck.OtherTenantSeen, "tenant.foreign-id-in-path", "GET /items/{id}")]
    [InlineData(FuzzCheck.NotRefused, "tenant.foreign-id-in-path", "GET /items/{id}")]
    [InlineData(FuzzCheck.NotAProblem, "query.", "GET /items")]
    [InlineData(FuzzCheck.ValidRequestFailed, "valid", null)]
    public void Catches_the_planted_defect(FuzzCheck check, string kind, string? operation)
    {
        output.WriteLine(run.Report.Summary());
        Assert.Contains(run.Report.Failures, f => f.Check == check && f.Kind.StartsWith(kind, StringComparison.Ordinal) && (operation is null || f.Operation == operation));
    }

    [Fact]
    public void Names_the_seed_and_each_failing_request_in_full()
    {
        var summary = run.Report.Summary();

        Assert.Contains($"seed {run.Report.Seed}", summary, StringComparison.Ordinal);
        var nul = run.Report.Failures.First(f => f is { Check: FuzzCheck.ServerError, Kind: "string.nul" });
        Assert.Contains($"case {nul.Request!.Id}", summary, StringComparison.Ordinal);
        Assert.Contains("POST /items", summary, StringComparison.Ordinal);
        Assert.Contains("\\u0000", summary, StringComparison.Ordinal);
        Assert.Contains("→ 500", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Plans_the_same_requests_for_the_same_seed()
    {
        Assert.Equal(Plan(7), Plan(7));
        Assert.NotEqual(Plan(7), Plan(8));
    }

    IReadOnlyList<string> Plan(int seed)
    {
        var tenant = new HarvestedTenant(new FuzzTenant(Guid.Empty, new Dictionary<string, string>()));
        return new HostileRequestPlanner(run.Contract, new Random(seed), tenant, tenant, "Bearer x", new Dictionary<string, string>())
            .Plan(run.Contract.Operations)
            .Select(r => $"{r.Id} {r.Target} {Convert.ToBase64String(r.Body ?? [])}")
            .ToList();
    }
}

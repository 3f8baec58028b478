using System.Text.Json;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Persistence;
using GrowthOps.Segments;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// The whole Segments service (its Program: service defaults, read model, consumers, outbox relay, API) inside the benchmark
/// process, so the refresh and per-event phases can time its own code paths (<see cref="SegmentMembership"/>, the read-model
/// consumer's transaction) rather than HTTP around them.
/// </summary>
sealed class InProcessSegments : IAsyncDisposable
{
    readonly WebApplication _app;

    InProcessSegments(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessSegments> StartAsync(BenchDatabase database, BenchVirtualHost vhost, string signingKey, string sweepInterval,
        CancellationToken ct)
    {
        var settings = BenchHosts.ServiceSettings(database, vhost);
        settings["Auth:SigningKey"] = signingKey;
        // --sweep-interval (e.g. 01:00:00) separates the per-event path's own cost from the time sweep's passes running beside it.
        if (sweepInterval.Length > 0)
            settings["Segments:TimeSweepInterval"] = sweepInterval;
        var builder = BenchWebApps.Builder("GrowthOps.Segments", settings);
        builder.AddServiceDefaults(GrowthOps.Segments.Extensions.ServiceName);
        builder.AddSegments();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapSegmentsApi();
        await app.StartAsync(ct);
        return new InProcessSegments(app);
    }

    /// <summary>Creates a dynamic segment without computing its members (as the API's create does before its first pass).</summary>
    public async Task<Segment> CreateSegmentAsync(Guid tenant, string name, string criteriaJson, string? logic, CancellationToken ct)
    {
        await using var scope = Services.CreateAsyncScope();
        var compiler = scope.ServiceProvider.GetRequiredService<CriteriaCompiler>();
        var criteria = JsonSerializer.Deserialize<JsonElement>(criteriaJson);
        var parsed = compiler.Parse(criteria, logic is null ? null : JsonSerializer.SerializeToElement(logic));
        if (parsed.Criteria is null)
            throw new InvalidOperationException($"Bench criteria {criteriaJson} do not parse: {string.Join("; ", parsed.Errors.Select(e => e.ToString()))}");
        var now = DateTime.UtcNow;
        var segment = new Segment(Guid.CreateVersion7(), name, null, "behavioral", SegmentKinds.Active, SegmentKinds.Dynamic, criteria, logic, true, 24,
            false, "bench", 0, null, null, now, now);
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenant, ct);
        if (!await scope.ServiceProvider.GetRequiredService<SegmentsStore>().TryCreateAsync(segment, ct))
            throw new InvalidOperationException($"Segment {name} exists.");
        scope.ServiceProvider.GetRequiredService<SegmentMembership>().SegmentsChanged();
        await unitOfWork.CommitAsync(ct);
        return segment;
    }

    /// <summary>The service's set-based pass (<see cref="SegmentMembership.RecomputeAsync"/>) in a transaction of its own, committed.</summary>
    public async Task<SegmentMembership.Pass> RecomputeAsync(Guid tenant, Segment segment, string reason, CancellationToken ct)
    {
        await using var scope = Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenant, ct);
        var pass = await scope.ServiceProvider.GetRequiredService<SegmentMembership>().RecomputeAsync(segment, reason, ct);
        await unitOfWork.CommitAsync(ct);
        return pass;
    }

    public ValueTask DisposeAsync() => BenchWebApps.StopQuietlyAsync(_app, "the in-process Segments service");
}

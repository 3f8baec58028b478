using MassTransit;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// Priority lanes: a run's steps travel on its priority's own queue (<c>cortex-steps-high</c>, <c>-medium</c>, <c>-low</c>),
/// each with its own consumers, so a scheduled batch of thousands of low-priority runs never queues in front of a checkout's
/// email. Steps are sent to their lane (never published), and delays are scheduled sends to it.
/// </summary>
public static class StepLanes
{
    public const string High = "high";
    public const string Medium = "medium";
    public const string Low = "low";

    public static readonly string[] All = [High, Medium, Low];

    public static string Queue(string priority) => $"cortex-steps-{Lane(priority)}";

    public static Uri Address(string priority) => new($"queue:{Queue(priority)}");

    static string Lane(string priority) => priority is High or Low ? priority : Medium;

    public static async Task SendAsync(this ISendEndpointProvider provider, string priority, ExecuteStep step, CancellationToken ct)
    {
        var endpoint = await provider.GetSendEndpoint(Address(priority));
        await endpoint.Send(step, ct);
    }

    public static Task ScheduleAsync(this ConsumeContext context, string priority, DateTime at, ExecuteStep step) =>
        context.ScheduleSend(Address(priority), at, step);
}

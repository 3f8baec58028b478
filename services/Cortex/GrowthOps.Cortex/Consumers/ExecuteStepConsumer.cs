using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>The walker's queue (<c>cortex-execute-step</c>): one step per message, behind the inbox.</summary>
public sealed class ExecuteStepConsumer(Walker walker) : IConsumer<ExecuteStep>
{
    public Task Consume(ConsumeContext<ExecuteStep> context) => walker.ExecuteAsync(context.Message, context);
}

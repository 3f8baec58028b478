using GrowthOps.Cortex.Domain.Runs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Consumers;

/// <summary>The walker, once per lane: one step per message, behind the inbox (<see cref="StepLanes"/>).</summary>
public abstract class ExecuteStepConsumer(Walker walker) : IConsumer<ExecuteStep>
{
    public Task Consume(ConsumeContext<ExecuteStep> context) => walker.ExecuteAsync(context.Message, context);
}

public sealed class HighLaneConsumer(Walker walker) : ExecuteStepConsumer(walker);

public sealed class MediumLaneConsumer(Walker walker) : ExecuteStepConsumer(walker);

public sealed class LowLaneConsumer(Walker walker) : ExecuteStepConsumer(walker);

/// <summary>A lane's queue: steps are sent to it by name, so it binds to no exchange; its concurrency is the lane's.</summary>
public abstract class LaneDefinition<TConsumer>(string lane, IOptions<CortexOptions> options) : ConsumerDefinition<TConsumer>
    where TConsumer : ExecuteStepConsumer
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.ConfigureConsumeTopology = false;
        if (options.Value.LaneConcurrency.TryGetValue(lane, out var limit) && limit > 0)
            endpoint.ConcurrentMessageLimit = limit;
    }

    protected void Name() => EndpointName = StepLanes.Queue(lane);
}

public sealed class HighLaneDefinition : LaneDefinition<HighLaneConsumer>
{
    public HighLaneDefinition(IOptions<CortexOptions> options) : base(StepLanes.High, options) => Name();
}

public sealed class MediumLaneDefinition : LaneDefinition<MediumLaneConsumer>
{
    public MediumLaneDefinition(IOptions<CortexOptions> options) : base(StepLanes.Medium, options) => Name();
}

public sealed class LowLaneDefinition : LaneDefinition<LowLaneConsumer>
{
    public LowLaneDefinition(IOptions<CortexOptions> options) : base(StepLanes.Low, options) => Name();
}

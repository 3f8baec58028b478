namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>Every scenario shares one PostgreSQL cluster and one RabbitMQ node, and they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultInfrastructure>
{
    public const string Name = "Faults";
}

// The scenarios stop and start the project's own PostgreSQL cluster and RabbitMQ node: they run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Test classes run in parallel (each has its own database and virtual host), but not so many that timing-sensitive
// assertions (scheduler lateness) measure a starved 2-core machine.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]

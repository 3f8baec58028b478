[assembly: CollectionBehavior(MaxParallelThreads = 3)]

using System.Collections.Concurrent;
using System.Diagnostics;
using GrowthOps.Contracts.Segments;
using MassTransit;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// What the Segments service published, as a consumer on the bus sees it: counts of per-contact changes and of batches (with
/// the largest batch), and waiters for one contact's entry or exit with the moment it arrived (for end-to-end latency).
/// </summary>
sealed class MembershipRecorder
{
    readonly ConcurrentDictionary<(Guid ContactId, string Change), TaskCompletionSource<long>> _waiters = new();
    long _changes;
    long _batches;
    long _batchedContacts;
    int _largestBatch;

    public long Changes => Interlocked.Read(ref _changes);
    public long Batches => Interlocked.Read(ref _batches);
    public long BatchedContacts => Interlocked.Read(ref _batchedContacts);
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp at which the contact's <paramref name="change"/> arrived.</summary>
    public Task<long> Expect(Guid contactId, string change) =>
        _waiters.GetOrAdd((contactId, change), _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Changed(SegmentMembershipChanged message)
    {
        var at = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _changes);
        if (_waiters.TryRemove((message.ContactId, message.Change), out var waiter))
            waiter.TrySetResult(at);
    }

    public void Batched(SegmentMembershipBatchChanged message)
    {
        var size = message.Entered.Count + message.Exited.Count;
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedContacts, size);
        int seen;
        while (size > (seen = Volatile.Read(ref _largestBatch)) && Interlocked.CompareExchange(ref _largestBatch, size, seen) != seen)
        {
        }
    }

    public sealed class ChangedConsumer(MembershipRecorder recorder) : IConsumer<SegmentMembershipChanged>
    {
        public Task Consume(ConsumeContext<SegmentMembershipChanged> context)
        {
            recorder.Changed(context.Message);
            return Task.CompletedTask;
        }
    }

    public sealed class BatchConsumer(MembershipRecorder recorder) : IConsumer<SegmentMembershipBatchChanged>
    {
        public Task Consume(ConsumeContext<SegmentMembershipBatchChanged> context)
        {
            recorder.Batched(context.Message);
            return Task.CompletedTask;
        }
    }
}

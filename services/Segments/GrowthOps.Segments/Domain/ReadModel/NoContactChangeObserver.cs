namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>The default until segment membership is evaluated per event.</summary>
public sealed class NoContactChangeObserver : IContactChangeObserver
{
    public Task ContactsChangedAsync(ContactChange change, CancellationToken ct) => Task.CompletedTask;
}

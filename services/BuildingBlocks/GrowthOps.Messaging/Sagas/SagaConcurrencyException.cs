namespace GrowthOps.Messaging.Sagas;

/// <summary>An optimistic update found the instance changed since it was loaded; the message is retried.</summary>
public sealed class SagaConcurrencyException(string message) : Exception(message);

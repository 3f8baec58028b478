using System.Reflection;

namespace GrowthOps.Messaging.Inbox;

/// <summary>Every GrowthOps message carries <c>TenantId</c> (a contract convention); this reads it without a base type.</summary>
static class TenantOfMessage<T>
    where T : class
{
    static readonly Func<T, Guid?> Accessor = Build();

    public static Guid? Get(T message) => Accessor(message) is { } id && id != Guid.Empty ? id : null;

    static Func<T, Guid?> Build()
    {
        var property = typeof(T).GetProperty("TenantId", BindingFlags.Public | BindingFlags.Instance);
        if (property?.PropertyType == typeof(Guid))
            return m => (Guid)property.GetValue(m)!;
        if (property?.PropertyType == typeof(Guid?))
            return m => (Guid?)property.GetValue(m);
        return _ => null;
    }
}

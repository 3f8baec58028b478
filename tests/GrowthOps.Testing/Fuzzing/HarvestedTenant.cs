namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// What the fuzzer learnt of a seeded tenant by reading the API as it: the ids each collection lists (by path template,
/// e.g. <c>/api/leads/contacts</c>), a real next-page cursor per list operation, and every UUID any of its answers held.
/// </summary>
public sealed class HarvestedTenant(FuzzTenant tenant)
{
    public FuzzTenant Tenant { get; } = tenant;

    public Guid Id => Tenant.Id;

    public Dictionary<string, List<string>> Collections { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Cursors { get; } = new(StringComparer.Ordinal);

    public HashSet<string> SeenIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The value of path parameter <paramref name="name"/> at <paramref name="index"/> of <paramref name="segments"/>: the first id
    /// the collection before it lists, else the seed's value of that name, else null.
    /// </summary>
    public string? PathValue(string[] segments, int index, string name)
    {
        var collection = "/" + string.Join('/', segments[..index]);
        if (Collections.TryGetValue(collection, out var ids) && ids.Count > 0)
            return ids[0];
        return Tenant.Values.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>
    /// A path template with this tenant's values (<paramref name="overrides"/> go in as written, the others escaped); a parameter
    /// with no value takes <paramref name="fallback"/>'s, or the whole path is null.
    /// </summary>
    public string? Fill(string template, IReadOnlyDictionary<string, string>? overrides = null, Func<string, string>? fallback = null)
    {
        var segments = template.Trim('/').Split('/');
        var filled = new List<string>();
        for (var index = 0; index < segments.Length; index++)
        {
            var segment = segments[index];
            if (!segment.StartsWith('{'))
            {
                filled.Add(segment);
                continue;
            }

            var name = segment.Trim('{', '}');
            if (overrides is not null && overrides.TryGetValue(name, out var raw))
                filled.Add(raw);
            else if ((PathValue(segments, index, name) ?? fallback?.Invoke(name)) is { } value)
                filled.Add(Uri.EscapeDataString(value));
            else
                return null;
        }

        return "/" + string.Join('/', filled);
    }

    /// <summary>Any id of this tenant's data, chosen by <paramref name="random"/>; null when none was seen.</summary>
    public string? AnyId(Random random)
    {
        var ids = Collections.Values.SelectMany(v => v).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        // One draw whatever the count, so the cases after this one stay the same for a seed.
        var pick = random.Next(Math.Max(1, ids.Count));
        return ids.Count == 0 ? null : ids[pick];
    }
}

namespace GrowthOps.ServiceDefaults.Validation;

/// <summary>
/// The limits of a free-form JSON member (a <c>JsonElement</c> or a dictionary of them: custom attributes, metadata, variables),
/// checked by <see cref="RequestLimits"/> and shown in the OpenAPI schema (<c>maxProperties</c>, <c>maxItems</c>,
/// <c>propertyNames.maxLength</c>, the rest in its description). A limit of 0 is no limit.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class JsonLimitsAttribute : Attribute
{
    /// <summary>Size of the value as JSON, in UTF-8 bytes, as sent.</summary>
    public int MaxBytes { get; init; }

    /// <summary>How deep objects and arrays nest: a flat object is 1, an object holding objects 2.</summary>
    public int MaxDepth { get; init; }

    /// <summary>Members of the value and of every object in it.</summary>
    public int MaxProperties { get; init; }

    /// <summary>Items of the value and of every array in it.</summary>
    public int MaxItems { get; init; }

    /// <summary>Length of every member name, in characters.</summary>
    public int MaxKeyLength { get; init; }

    /// <summary>Length of the value and of every string in it, in characters.</summary>
    public int MaxStringLength { get; init; }

    /// <summary>The limits in words, for the schema's description.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (MaxProperties > 0)
            parts.Add($"at most {MaxProperties} members per object");
        if (MaxKeyLength > 0)
            parts.Add($"member names up to {MaxKeyLength} characters");
        if (MaxItems > 0)
            parts.Add($"at most {MaxItems} items per array");
        if (MaxStringLength > 0)
            parts.Add($"strings up to {MaxStringLength} characters");
        if (MaxDepth > 0)
            parts.Add(MaxDepth == 1 ? "no nesting" : $"nested at most {MaxDepth} levels");
        if (MaxBytes > 0)
            parts.Add($"at most {MaxBytes} bytes of JSON");
        return $"Limits: {string.Join(", ", parts)}.";
    }
}

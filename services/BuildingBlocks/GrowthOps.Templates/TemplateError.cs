namespace GrowthOps.Templates;

/// <summary>Where a template fails to compile (1-based line and column of the tag to blame) and why.</summary>
public sealed record TemplateError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

namespace GrowthOps.ServiceDefaults.Query;

/// <summary>Endpoint metadata: alias → the documented (wire) name it stands for (see <see cref="QueryParameters.WithQueryAliases{TBuilder}"/>).</summary>
public sealed record QueryAliasesMetadata(IReadOnlyDictionary<string, string> Aliases);

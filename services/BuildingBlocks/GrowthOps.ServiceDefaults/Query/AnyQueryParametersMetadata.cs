namespace GrowthOps.ServiceDefaults.Query;

/// <summary>Endpoint metadata: the endpoint takes any query string (see <see cref="QueryParameters.AllowAnyQueryParameters{TBuilder}"/>).</summary>
public sealed class AnyQueryParametersMetadata;

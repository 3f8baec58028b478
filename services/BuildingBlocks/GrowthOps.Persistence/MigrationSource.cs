using System.Reflection;

namespace GrowthOps.Persistence;

/// <summary>
/// Numbered SQL scripts embedded in an assembly (resource names containing <c>.Migrations.</c>). Sources run in
/// <see cref="Order"/>: building blocks first (tenancy, messaging tables), then the service's own scripts.
/// Scripts may write <c>$schema$</c> for the service's schema.
/// </summary>
public sealed record MigrationSource(Assembly Assembly, int Order);

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// A tenant the fuzzer works with, and the values its seed returned (named ids such as <c>contact</c>, a <c>tag</c>…), used
/// for <c>{{name}}</c> placeholders in example bodies and for path parameters of the same name.
/// </summary>
public sealed record FuzzTenant(Guid Id, IReadOnlyDictionary<string, string> Values);

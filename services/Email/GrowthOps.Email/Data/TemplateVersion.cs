using System.Text.Json;

namespace GrowthOps.Email.Data;

/// <summary>
/// The content of a template as one save left it, never changed afterwards (a campaign sends a fixed version).
/// <see cref="RestoredFrom"/> is the older version it copies, when it was made by a restore.
/// </summary>
public sealed record TemplateVersion(
    Guid TemplateId,
    int Version,
    string Subject,
    string Html,
    string? Text,
    bool TextGenerated,
    JsonElement? Design,
    int? RestoredFrom,
    string? CreatedBy,
    DateTime CreatedAt);

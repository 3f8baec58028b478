using System.Text.Json;

namespace GrowthOps.Email.Data;

/// <summary>
/// A template as it is now: its content is that of <see cref="Version"/>. <see cref="Design"/> is the drag-and-drop editor's
/// JSON, as it sent it; <see cref="TextGenerated"/> says the text body was derived from the HTML.
/// </summary>
public sealed record Template(
    Guid Id,
    string Name,
    string? Description,
    string Subject,
    string Html,
    string? Text,
    bool TextGenerated,
    JsonElement? Design,
    int Version,
    bool Archived,
    string? CreatedBy,
    DateTime CreatedAt,
    DateTime UpdatedAt);

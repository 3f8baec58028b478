using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>
/// A template to create (name, subject and html required), or the fields to change (PATCH: absent ones stay). <c>text</c>
/// absent or empty: derived from the HTML (and derived again whenever the HTML changes, until a text is given). <c>design</c>
/// is the drag-and-drop editor's JSON (Unlayer's <c>design</c> object), stored and answered as given.
/// </summary>
public sealed record TemplateRequest(
    [property: MaxLength(TemplatesApi.MaxName)] string? Name = null,
    [property: MaxLength(TemplatesApi.MaxDescription)] string? Description = null,
    [property: MaxLength(TemplatesApi.MaxSubject)] string? Subject = null,
    [property: MaxLength(TemplatesApi.MaxHtml)] string? Html = null,
    [property: MaxLength(TemplatesApi.MaxText)] string? Text = null,
    [property: JsonLimits(MaxBytes = TemplatesApi.MaxDesignBytes)] JsonElement? Design = null);

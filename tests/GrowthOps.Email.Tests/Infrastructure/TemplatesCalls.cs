using System.Net;
using System.Text.Json;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>Templates as the tests make and change them.</summary>
public static class TemplatesCalls
{
    public const string Path = "/api/email/templates";

    /// <summary>Creates a template from a JSON object's members (name, subject and html filled in when absent).</summary>
    public static Task<JsonElement> CreateTemplate(this HttpClient client, string? name = null, string subject = "Hello {{first_name}}",
        string html = "<p>Hi {{default first_name \"there\"}}</p>", string? text = null, string? design = null) =>
        client.PostJson(Path, Json(name ?? $"Template {Guid.NewGuid():N}", subject, html, text, design), HttpStatusCode.Created);

    public static string Json(string name, string subject, string html, string? text = null, string? design = null)
    {
        var members = new List<string>
        {
            $"\"name\": {JsonSerializer.Serialize(name)}", $"\"subject\": {JsonSerializer.Serialize(subject)}", $"\"html\": {JsonSerializer.Serialize(html)}",
        };
        if (text is not null)
            members.Add($"\"text\": {JsonSerializer.Serialize(text)}");
        if (design is not null)
            members.Add($"\"design\": {design}");
        return "{" + string.Join(", ", members) + "}";
    }

    public static async Task<JsonElement> PatchTemplate(this HttpClient client, Guid id, string json, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.PatchAsync($"{Path}/{id}", EmailClient.Body(json))).Json(expected);

    public static string Text(this JsonElement e, string member) => e.GetProperty(member).GetString()!;
}

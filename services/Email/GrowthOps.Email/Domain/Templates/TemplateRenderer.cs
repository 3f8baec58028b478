using System.Collections.Concurrent;
using HandlebarsDotNet;

namespace GrowthOps.Email.Domain.Templates;

/// <summary>
/// Renders subjects and bodies with Handlebars (<c>{{first_name}}</c>, <c>{{#if company}}…{{/if}}</c>); a compiled template is
/// cached by its text, so a broadcast compiles once and renders per recipient. Subjects and text bodies are not HTML-escaped.
/// </summary>
public sealed class TemplateRenderer
{
    readonly IHandlebars html = Handlebars.Create(new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false });
    readonly IHandlebars plain = Handlebars.Create(new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, NoEscape = true });
    readonly ConcurrentDictionary<(bool Html, string Source), HandlebarsTemplate<object, object>> compiled = new();

    const int CacheLimit = 10_000;

    public string RenderHtml(string source, object model) => Compile(true, source)(model);

    public string RenderPlain(string source, object model) => Compile(false, source)(model);

    HandlebarsTemplate<object, object> Compile(bool isHtml, string source)
    {
        if (compiled.TryGetValue((isHtml, source), out var template))
            return template;
        if (compiled.Count >= CacheLimit)
            compiled.Clear();
        return compiled.GetOrAdd((isHtml, source), key => (key.Html ? html : plain).Compile(key.Source));
    }
}

using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace GrowthOps.Email.Domain.Templates;

/// <summary>
/// The text body of an HTML body, for templates saved without one: readable text, paragraphs and headings apart by a blank
/// line, line breaks, list items and table rows on lines of their own, links as "text (url)". Merge fields stay as they are
/// (the text is a template too, rendered without HTML escaping).
/// </summary>
public static partial class HtmlText
{
    static readonly HtmlParser Parser = new();

    static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "head", "script", "style", "title", "noscript", "template" };

    static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "dl",
    };

    static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "tr", "td", "th", "section", "article", "header", "footer", "center", "dt", "dd", "address", "figure", "figcaption", "tbody",
    };

    public static string From(string html)
    {
        // Block tags become comments before parsing: as text between table rows ({{#each items}}<tr>…</tr>{{/each}}) the HTML
        // parser would move them in front of the table, out of the loop; a comment stays where it is.
        var blocks = new List<string>();
        var document = Parser.ParseDocument(BlockTag().Replace(html, m =>
        {
            blocks.Add(m.Value);
            return $"<!--{Placeholder}{blocks.Count - 1}-->";
        }));
        var text = new Writer(blocks);
        Walk(document.Body ?? (INode?)document.DocumentElement ?? document, text);
        return text.ToString();
    }

    const string Placeholder = "growthops-block:";

    static void Walk(INode node, Writer text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText t)
                text.Inline(t.Data);
            else if (child is IComment comment && comment.Data.StartsWith(Placeholder, StringComparison.Ordinal))
                text.Inline(text.Block(comment.Data));
            else if (child is IElement element)
                Element(element, text);
        }
    }

    static void Element(IElement element, Writer text)
    {
        var name = element.LocalName;
        if (Skipped.Contains(name))
            return;
        switch (name)
        {
            case "br":
                text.LineBreak();
                return;
            case "hr":
                text.Break(2);
                text.Inline("----------");
                text.Break(2);
                return;
            case "img":
                if (element.GetAttribute("alt") is { Length: > 0 } alt)
                    text.Inline(alt);
                return;
            case "li":
                text.Break(1);
                text.Inline("- ");
                Walk(element, text);
                text.Break(1);
                return;
            case "a":
                var start = text.Length;
                Walk(element, text);
                var label = text.Since(start).Trim();
                if (Target(text.Restore(element.GetAttribute("href"))) is { } url && !string.Equals(label, url, StringComparison.OrdinalIgnoreCase))
                    text.Inline(label.Length == 0 ? url : $" ({url})");
                return;
        }

        var breaks = Paragraphs.Contains(name) ? 2 : Lines.Contains(name) ? 1 : 0;
        text.Break(breaks);
        Walk(element, text);
        text.Break(breaks);
    }

    /// <summary>The address a reader can type, or null for a link that leads nowhere outside the message.</summary>
    static string? Target(string? href)
    {
        href = href?.Trim();
        if (string.IsNullOrEmpty(href) || href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            return null;
        return href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href["mailto:".Length..] : href;
    }

    /// <summary>Collapses white space as a browser does and puts breaks only between pieces of text, never at either end.</summary>
    sealed class Writer(List<string> blocks)
    {
        readonly StringBuilder text = new();
        int pendingBreaks;
        bool pendingSpace;

        // Whether any text (not only block tags) was written: breaks go between pieces of text, never before the first.
        bool written;

        public int Length => text.Length;

        /// <summary>The block tag a placeholder comment stands for.</summary>
        public string Block(string comment) =>
            int.TryParse(comment.AsSpan(Placeholder.Length), System.Globalization.CultureInfo.InvariantCulture, out var i) && i < blocks.Count ? blocks[i] : "";

        /// <summary>An attribute with its block tags back (a comment is text inside an attribute).</summary>
        public string? Restore(string? attribute) =>
            attribute is null ? null : PlaceholderComment().Replace(attribute, m => Block(m.Groups[1].Value));

        public string Since(int start) => text.ToString(start, text.Length - start);

        public void Break(int count) => pendingBreaks = Math.Max(pendingBreaks, count);

        // Two <br> in a row are an empty line, as they look in a browser.
        public void LineBreak() => pendingBreaks = Math.Min(pendingBreaks + 1, 2);

        public void Inline(string value)
        {
            // A block's own tags ({{#if company}}, {{else}}, {{/if}}) between paragraphs take no line of their own: the line
            // breaks go inside the block, so that a block that renders nothing leaves no empty lines behind.
            if (BlockTagsOnly().IsMatch(value))
            {
                text.Append(value.Trim());
                return;
            }

            foreach (var c in value)
            {
                if (char.IsWhiteSpace(c) && c != '\u00A0')
                {
                    pendingSpace = true;
                    continue;
                }

                if (written && pendingBreaks > 0)
                    text.Append('\n', pendingBreaks);
                else if (written && pendingSpace && text[^1] != '\n')
                    text.Append(' ');
                written = true;
                pendingBreaks = 0;
                pendingSpace = false;
                text.Append(c == '\u00A0' ? ' ' : c);
            }
        }

        public override string ToString() => text.ToString();
    }

    [GeneratedRegex(@"\{\{~?\s*(?:[#^/][^{}]*|else(?:\s[^{}]*)?)~?\}\}")]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<!--(" + Placeholder + @"\d+)-->")]
    private static partial Regex PlaceholderComment();

    [GeneratedRegex(@"^\s*(\{\{~?\s*([#^/][^{}]*|else(\s[^{}]*)?)~?\}\}\s*)+$")]
    private static partial Regex BlockTagsOnly();
}

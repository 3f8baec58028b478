using System.Globalization;
using System.Text.RegularExpressions;

namespace GrowthOps.Templates;

/// <summary>
/// Checks a template tag by tag, so that a fault is reported where it is. Handlebars.Net names most faults (a block never
/// closed, a closing tag that matches nothing, a bad expression) without a position, so the tags are found here, their
/// nesting checked, and each tag compiled on its own: the fault is then the tag that does not compile.
/// </summary>
public static partial class TemplateSyntax
{
    /// <summary>Blocks that need a value: <c>{{#if company}}</c>.</summary>
    public static readonly IReadOnlySet<string> BlockHelpers = new HashSet<string>(StringComparer.Ordinal) { "if", "unless", "each", "with" };

    /// <summary>Helpers a tag may call with arguments; any other name with arguments would fail at every send.</summary>
    public static readonly IReadOnlySet<string> Helpers = new HashSet<string>(StringComparer.Ordinal) { "default", "lookup", "log" };

    const int MaxErrors = 10;

    readonly record struct Tag(int Start, string Inner, bool Triple);

    readonly record struct Open(string Name, int Start);

    /// <param name="source">The template.</param>
    /// <param name="compileError">Compiles a piece of template: null when it compiles, else the library's reason.</param>
    public static List<TemplateError> Check(string source, Func<string, string?> compileError)
    {
        var errors = new List<TemplateError>();
        // Compiling tag by tag is slow (about a millisecond a tag): done only to find the tag to blame when the whole fails.
        var whole = compileError(source);
        var compileTags = whole is not null;
        var lines = new LineMap(source);
        var tags = Scan(source, lines, errors);
        var open = new Stack<Open>();
        foreach (var tag in tags)
        {
            if (errors.Count >= MaxErrors)
                return errors;
            var (line, column) = lines.At(tag.Start);
            void Fail(string message) => errors.Add(new TemplateError(line, column, message));
            var inner = tag.Inner;
            if (inner.Length == 0)
            {
                Fail("an empty tag; write a field name, e.g. {{first_name}}");
                continue;
            }

            switch (inner[0])
            {
                case '>':
                    Fail("partials ({{> name}}) are not supported; put the content in the template");
                    continue;
                case '#' or '^' when inner.Length > 1 && inner[1] is '>' or '*':
                    Fail("partial blocks and decorators are not supported");
                    continue;
                case '#':
                case '^' when inner.Length > 1:
                {
                    var words = Words(inner[1..]);
                    var name = words.Count > 0 ? words[0] : "";
                    if (name.Length == 0)
                        Fail($"'{{{{{inner}}}}}' opens a block without a name, e.g. {{{{#if company}}}}");
                    else if (BlockHelpers.Contains(name) && words.Count == 1)
                        Fail($"'{{{{{inner[0]}{name}}}}}' needs a value to test, e.g. {{{{{inner[0]}{name} company}}}}");
                    else if (!BlockHelpers.Contains(name) && words.Count > 1 && !Helpers.Contains(name))
                        Fail(UnknownHelper(name));
                    else if (compileTags && compileError($"{{{{{inner}}}}}{{{{/{name}}}}}") is { } reason)
                        Fail(Clean(reason));
                    open.Push(new Open(name, tag.Start));
                    continue;
                }
                case '/':
                {
                    var name = inner[1..].Trim();
                    if (!open.TryPop(out var opened))
                    {
                        Fail($"'{{{{/{name}}}}}' closes no open block");
                        return errors;
                    }

                    if (!string.Equals(opened.Name, name, StringComparison.Ordinal))
                    {
                        var (openLine, openColumn) = lines.At(opened.Start);
                        Fail($"'{{{{/{name}}}}}' does not close '{{{{#{opened.Name}}}}}' opened at line {openLine}, column {openColumn}; close it with {{{{/{opened.Name}}}}}");
                        return errors;
                    }

                    continue;
                }
            }

            if (inner == "^" || inner == "else" || inner.StartsWith("else ", StringComparison.Ordinal))
            {
                if (open.Count == 0)
                    Fail($"'{{{{{inner}}}}}' is outside any block");
                continue;
            }

            var expression = inner[0] == '&' ? inner[1..].Trim() : inner;
            var parts = Words(expression);
            if (parts.Count > 1 && !Helpers.Contains(parts[0]) && !BlockHelpers.Contains(parts[0]))
                Fail(UnknownHelper(parts[0]));
            else if (parts is ["default", ..] && parts.Count != 3)
                Fail("default takes a value and a fallback, e.g. {{default first_name \"there\"}}");
            else if (compileTags && compileError(tag.Triple ? $"{{{{{{{inner}}}}}}}" : $"{{{{{inner}}}}}") is { } reason)
                Fail(Clean(reason));
        }

        if (open.Count > 0 && errors.Count < MaxErrors)
        {
            // The outermost block is the one the author forgot to close, when the inner ones are closed by the same mistake.
            var unclosed = open.Last();
            var (line, column) = lines.At(unclosed.Start);
            errors.Add(new TemplateError(line, column, $"'{{{{#{unclosed.Name}}}}}' is never closed; end it with {{{{/{unclosed.Name}}}}}"));
        }

        if (errors.Count == 0 && whole is not null)
        {
            // Only a fault the tag checks above do not know: Handlebars gives a position for some (0-based line, column).
            var at = OccurredAt().Match(whole);
            errors.Add(at.Success
                ? new TemplateError(int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture) + 1, int.Parse(at.Groups[2].Value, CultureInfo.InvariantCulture) + 1, Clean(whole))
                : new TemplateError(1, 1, Clean(whole)));
        }

        return errors;
    }

    /// <summary>The library's message without its own position (which this check reports the way every other error is).</summary>
    public static string Clean(string message)
    {
        var at = message.IndexOf("Occured at:", StringComparison.Ordinal);
        return (at >= 0 ? message[..at] : message).Trim().TrimEnd(':').Trim();
    }

    static string UnknownHelper(string name) =>
        $"'{name}' is not a helper (helpers: {string.Join(", ", Helpers.Concat(BlockHelpers).Order(StringComparer.Ordinal))}); a merge field has no arguments, e.g. {{{{{name}}}}}";

    static List<Tag> Scan(string source, LineMap lines, List<TemplateError> errors)
    {
        var tags = new List<Tag>();
        var i = 0;
        while ((i = source.IndexOf("{{", i, StringComparison.Ordinal)) >= 0)
        {
            // \{{ is a literal "{{" in Handlebars.
            if (i > 0 && source[i - 1] == '\\')
            {
                i += 2;
                continue;
            }

            var start = i;
            if (string.CompareOrdinal(source, i, "{{!--", 0, 5) == 0 || string.CompareOrdinal(source, i, "{{!", 0, 3) == 0)
            {
                var isLong = string.CompareOrdinal(source, i, "{{!--", 0, 5) == 0;
                var end = source.IndexOf(isLong ? "--}}" : "}}", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    Add(errors, lines, start, isLong ? "a comment '{{!--' is never closed with '--}}'" : "a comment '{{!' is never closed with '}}'");
                    return tags;
                }

                i = end + (isLong ? 4 : 2);
                continue;
            }

            var triple = string.CompareOrdinal(source, i, "{{{", 0, 3) == 0;
            var from = i + (triple ? 3 : 2);
            var close = -1;
            var quote = '\0';
            for (var j = from; j < source.Length - 1; j++)
            {
                var c = source[j];
                if (quote != '\0')
                {
                    if (c == quote)
                        quote = '\0';
                    continue;
                }

                if (c is '"' or '\'')
                    quote = c;
                else if (c == '}' && source[j + 1] == '}')
                {
                    close = j;
                    break;
                }
                else if (c == '{' && source[j + 1] == '{')
                    break;
            }

            if (close < 0)
            {
                Add(errors, lines, start, quote != '\0'
                    ? $"a string opened with {quote} in this tag is never closed"
                    : "'{{' is never closed with '}}'");
                return tags;
            }

            if (triple && (close + 2 >= source.Length || source[close + 2] != '}'))
            {
                Add(errors, lines, start, "'{{{' is closed with '}}' instead of '}}}'");
                return tags;
            }

            var inner = source[from..close].Trim();
            if (inner.StartsWith('~'))
                inner = inner[1..];
            if (inner.EndsWith('~'))
                inner = inner[..^1];
            tags.Add(new Tag(start, inner.Trim(), triple));
            i = close + (triple ? 3 : 2);
        }

        return tags;
    }

    static void Add(List<TemplateError> errors, LineMap lines, int offset, string message)
    {
        var (line, column) = lines.At(offset);
        errors.Add(new TemplateError(line, column, message));
    }

    /// <summary>A tag's words: quoted strings and parenthesised subexpressions count as one.</summary>
    static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        var depth = 0;
        var quote = '\0';
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
                continue;
            }

            if (char.IsWhiteSpace(c) && depth == 0)
            {
                if (start >= 0)
                    words.Add(text[start..i]);
                start = -1;
                continue;
            }

            if (start < 0)
                start = i;
            if (c is '"' or '\'')
                quote = c;
            else if (c == '(')
                depth++;
            else if (c == ')' && depth > 0)
                depth--;
        }

        if (start >= 0 && start < text.Length)
            words.Add(text[start..]);
        return words;
    }

    [GeneratedRegex(@"Occured at:\s*(\d+):(\d+)")]
    private static partial Regex OccurredAt();

    /// <summary>1-based line and column of an offset (a column counts characters; CRLF is one line break).</summary>
    sealed class LineMap(string source)
    {
        readonly List<int> starts = Starts(source);

        public (int Line, int Column) At(int offset)
        {
            var index = starts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            return (line + 1, offset - starts[line] + 1);
        }

        static List<int> Starts(string source)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < source.Length; i++)
                if (source[i] == '\n')
                    starts.Add(i + 1);
            return starts;
        }
    }
}

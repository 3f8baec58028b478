using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GrowthOps.Conditions;

/// <summary>
/// The <c>regex</c> operator's dialect: a subset that .NET and PostgreSQL's ARE both support, parsed here and written out
/// for each engine so that both decide every match the same way. Supported: literals, <c>.</c>, <c>[…]</c> and <c>[^…]</c>
/// with ranges and <c>\d \w \s</c>, <c>\d \D \w \W \s \S</c>, <c>\t \n \r \f \v</c>, a backslash before any other ASCII
/// punctuation, <c>^</c> and <c>$</c> (start and end of the whole text), <c>(…)</c>, <c>(?:…)</c>, <c>|</c>, and the
/// quantifiers <c>* + ? {n} {n,} {n,m}</c> (bounds up to 100; a trailing lazy <c>?</c> is accepted and changes nothing,
/// since only whether a match exists counts). Not supported, because the engines disagree on them or one lacks them:
/// back-references, look-around, <c>\b</c>, <c>\p{…}</c>, POSIX classes, inline options, <c>\x</c>/<c>\u</c> escapes.
/// <para>
/// Written out, every class is explicit, so nothing depends on a locale: <c>\d</c> is <c>[0-9]</c>, <c>\w</c> is
/// <c>[0-9A-Za-z_]</c>, <c>\s</c> is tab, LF, VT, FF, CR and space; matching ignores the case of A–Z only (like every text
/// criterion, see <see cref="AsciiCase"/>), by adding the other case of each ASCII letter to the classes. <c>.</c> and
/// negated classes match any one character including a newline; for .NET, which counts UTF-16 code units, they are written
/// to consume a surrogate pair as one character, as PostgreSQL does. <c>$</c> is <c>\z</c> for .NET (its <c>$</c> also
/// matches before a final newline). Patterns are at most <see cref="CriteriaLimits.MaxRegexLength"/> characters and their
/// counted repetitions may unroll to at most <see cref="CriteriaLimits.MaxRegexSize"/> atoms, which keeps PostgreSQL
/// clear of "regular expression is too complex"; .NET runs them with <see cref="RegexOptions.NonBacktracking"/> (linear
/// time) and a timeout.
/// </para>
/// </summary>
public sealed class PortableRegex
{
    static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    readonly Regex _regex;

    PortableRegex(string pattern, string dotNetPattern, string postgresPattern)
    {
        Pattern = pattern;
        DotNetPattern = dotNetPattern;
        PostgresPattern = postgresPattern;
        _regex = new Regex(dotNetPattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);
    }

    /// <summary>The pattern as written in the criteria.</summary>
    public string Pattern { get; }

    /// <summary>The pattern for .NET (run by <see cref="IsMatch"/>).</summary>
    public string DotNetPattern { get; }

    /// <summary>The pattern for PostgreSQL's <c>~</c>.</summary>
    public string PostgresPattern { get; }

    public bool IsMatch(string text) => _regex.IsMatch(text);

    /// <summary>Parses <paramref name="pattern"/>; on failure <paramref name="error"/> says what and where.</summary>
    public static PortableRegex? TryParse(string pattern, out string? error)
    {
        if (pattern.Length > CriteriaLimits.MaxRegexLength)
        {
            error = $"is longer than {CriteriaLimits.MaxRegexLength} characters";
            return null;
        }

        var parser = new Parser(pattern);
        Node tree;
        try
        {
            tree = parser.ParseAll();
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }

        if (Size(tree) > CriteriaLimits.MaxRegexSize)
        {
            error = $"repeats too much: its counted repetitions unroll to more than {CriteriaLimits.MaxRegexSize} characters";
            return null;
        }

        error = null;
        return new PortableRegex(pattern, Emit(tree, dotNet: true), Emit(tree, dotNet: false));
    }

    abstract record Node;

    sealed record Alternation(IReadOnlyList<Node> Branches) : Node;

    sealed record Sequence(IReadOnlyList<Node> Items) : Node;

    sealed record Repeat(Node Item, int Min, int? Max) : Node;

    sealed record Anchor(bool Start) : Node;

    /// <summary>One character from a set of code point ranges (or, negated, from outside it; <c>.</c> is the negated empty set).</summary>
    sealed record CharSet(IReadOnlyList<(int Lo, int Hi)> Ranges, bool Negated) : Node;

    static long Size(Node node) => node switch
    {
        Alternation a => a.Branches.Sum(Size),
        Sequence s => s.Items.Sum(Size),
        Repeat r => Size(r.Item) * Math.Max(1, r.Max ?? r.Min + 1),
        _ => 1,
    };

    sealed class Parser(string pattern)
    {
        int _pos;
        readonly List<int> _codePoints = ToCodePoints(pattern);

        static List<int> ToCodePoints(string s)
        {
            var list = new List<int>(s.Length);
            for (var i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    list.Add(char.ConvertToUtf32(s[i], s[i + 1]));
                    i++;
                }
                else if (char.IsSurrogate(s[i]))
                    throw new FormatException("is not valid text (a lone surrogate)");
                else
                    list.Add(s[i]);
            }

            return list;
        }

        bool AtEnd => _pos >= _codePoints.Count;
        int Peek => _codePoints[_pos];

        FormatException Error(string message) => new($"{message} at position {_pos + 1}");

        public Node ParseAll()
        {
            var node = ParseAlternation(0);
            if (!AtEnd)
                throw Error(Peek == ')' ? "unbalanced ')'" : $"unexpected '{char.ConvertFromUtf32(Peek)}'");
            return node;
        }

        Node ParseAlternation(int depth)
        {
            if (depth > CriteriaLimits.MaxRegexNesting)
                throw Error($"nests groups deeper than {CriteriaLimits.MaxRegexNesting}");
            var branches = new List<Node> { ParseSequence(depth) };
            while (!AtEnd && Peek == '|')
            {
                _pos++;
                branches.Add(ParseSequence(depth));
            }

            return branches.Count == 1 ? branches[0] : new Alternation(branches);
        }

        Node ParseSequence(int depth)
        {
            var items = new List<Node>();
            while (!AtEnd && Peek != '|' && Peek != ')')
            {
                var atom = ParseAtom(depth);
                items.Add(ParseQuantifiers(atom));
            }

            return items.Count == 1 ? items[0] : new Sequence(items);
        }

        Node ParseQuantifiers(Node atom)
        {
            if (AtEnd || !IsQuantifierStart())
                return atom;
            if (atom is Anchor)
                throw Error("a quantifier cannot follow ^ or $");
            var at = _pos;
            var (min, max) = ParseQuantifier();
            // A lazy quantifier finds a match exactly when the greedy one does.
            if (!AtEnd && Peek == '?')
                _pos++;
            if (!AtEnd && IsQuantifierStart())
                throw Error("nested quantifier");
            if (max is { } m && m < min)
            {
                _pos = at;
                throw Error("quantifier {n,m} with m < n");
            }

            return new Repeat(atom, min, max);
        }

        bool IsQuantifierStart() => Peek is '*' or '+' or '?' or '{';

        (int Min, int? Max) ParseQuantifier()
        {
            var c = Peek;
            _pos++;
            switch (c)
            {
                case '*': return (0, null);
                case '+': return (1, null);
                case '?': return (0, 1);
            }

            var min = ParseBound() ?? throw Error("expected a number in {n,m}");
            int? max = min;
            if (!AtEnd && Peek == ',')
            {
                _pos++;
                max = ParseBound();
            }

            if (AtEnd || Peek != '}')
                throw Error("expected '}' (write \\{ for a literal brace)");
            _pos++;
            return (min, max);
        }

        int? ParseBound()
        {
            var start = _pos;
            var value = 0;
            while (!AtEnd && Peek is >= '0' and <= '9')
            {
                value = value * 10 + (Peek - '0');
                if (value > CriteriaLimits.MaxRegexRepeat)
                    throw Error($"repetition bound above {CriteriaLimits.MaxRegexRepeat}");
                _pos++;
            }

            return _pos == start ? null : value;
        }

        Node ParseAtom(int depth)
        {
            var c = Peek;
            switch (c)
            {
                case '(':
                    _pos++;
                    if (!AtEnd && Peek == '?')
                    {
                        if (_pos + 1 < _codePoints.Count && _codePoints[_pos + 1] == ':')
                            _pos += 2;
                        else
                            throw Error("only (?:…) groups are supported (no look-around, named groups or inline options)");
                    }

                    var inner = ParseAlternation(depth + 1);
                    if (AtEnd || Peek != ')')
                        throw Error("missing ')'");
                    _pos++;
                    return inner;
                case '[':
                    return ParseClass();
                case '.':
                    _pos++;
                    return new CharSet([], Negated: true);
                case '^':
                    _pos++;
                    return new Anchor(Start: true);
                case '$':
                    _pos++;
                    return new Anchor(Start: false);
                case '\\':
                    return ParseEscape(inClass: false) is { } set ? set : throw Error("bad escape");
                case '*' or '+' or '?':
                    throw Error($"'{(char)c}' has nothing to repeat");
                case '{' or '}' or ']':
                    throw Error($"write \\{(char)c} for a literal '{(char)c}'");
                default:
                    _pos++;
                    return Literal(c);
            }
        }

        static CharSet Literal(int c) => new([(c, c)], Negated: false);

        CharSet? ParseEscape(bool inClass)
        {
            _pos++;
            if (AtEnd)
                throw Error("pattern ends with '\\'");
            var c = Peek;
            _pos++;
            switch (c)
            {
                case 'd': return new CharSet(Digits, false);
                case 'w': return new CharSet(Word, false);
                case 's': return new CharSet(Space, false);
                case 'D' or 'W' or 'S' when inClass:
                    _pos -= 2;
                    throw Error($"\\{(char)c} is not supported inside [...]");
                case 'D': return new CharSet(Digits, true);
                case 'W': return new CharSet(Word, true);
                case 'S': return new CharSet(Space, true);
                case 't': return Literal('\t');
                case 'n': return Literal('\n');
                case 'r': return Literal('\r');
                case 'f': return Literal('\f');
                case 'v': return Literal('\v');
            }

            if (c < 128 && !char.IsAsciiLetterOrDigit((char)c) && c > ' ')
                return Literal(c);
            _pos -= 2;
            throw Error($"unsupported escape '\\{char.ConvertFromUtf32(c)}'");
        }

        static readonly (int, int)[] Digits = [('0', '9')];
        static readonly (int, int)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
        static readonly (int, int)[] Space = [('\t', '\r'), (' ', ' ')];

        CharSet ParseClass()
        {
            var open = _pos;
            _pos++;
            var negated = false;
            if (!AtEnd && Peek == '^')
            {
                negated = true;
                _pos++;
            }

            var ranges = new List<(int, int)>();
            while (true)
            {
                if (AtEnd)
                {
                    _pos = open;
                    throw Error("missing ']'");
                }

                if (Peek == ']')
                {
                    _pos++;
                    break;
                }

                var lo = ClassMember(out var set);
                if (set is not null)
                {
                    if (!AtEnd && Peek == '-' && _pos + 1 < _codePoints.Count && _codePoints[_pos + 1] != ']')
                        throw Error("a range cannot start with a class escape");
                    ranges.AddRange(set.Ranges);
                    continue;
                }

                if (!AtEnd && Peek == '-' && _pos + 1 < _codePoints.Count && _codePoints[_pos + 1] != ']')
                {
                    _pos++;
                    var hi = ClassMember(out var second);
                    if (second is not null)
                        throw Error("a range cannot end in a class escape");
                    if (hi < lo)
                        throw Error("range out of order");
                    ranges.Add((lo, hi));
                }
                else
                    ranges.Add((lo, lo));
            }

            if (ranges.Count == 0)
            {
                _pos = open;
                throw Error("empty []");
            }

            if (ranges.Any(r => r.Item2 > 0xFFFF))
            {
                _pos = open;
                throw Error("characters outside the Basic Multilingual Plane (emoji…) cannot appear in [...]");
            }

            return new CharSet(ranges, negated);
        }

        int ClassMember(out CharSet? set)
        {
            set = null;
            var c = Peek;
            if (c == '\\')
            {
                var escaped = ParseEscape(inClass: true)!;
                if (escaped.Ranges is [var (lo, hi)] && lo == hi && !escaped.Negated)
                    return lo;
                set = escaped;
                return -1;
            }

            if (c == '[')
                throw Error("write \\[ for a literal '[' inside [...] (POSIX classes are not supported)");
            _pos++;
            return c;
        }
    }

    static string Emit(Node node, bool dotNet)
    {
        var sb = new StringBuilder();
        Write(node, dotNet, sb);
        return sb.ToString();
    }

    static void Write(Node node, bool dotNet, StringBuilder sb)
    {
        switch (node)
        {
            case Alternation a:
                sb.Append("(?:");
                for (var i = 0; i < a.Branches.Count; i++)
                {
                    if (i > 0)
                        sb.Append('|');
                    Write(a.Branches[i], dotNet, sb);
                }

                sb.Append(')');
                break;
            case Sequence s:
                sb.Append("(?:");
                foreach (var item in s.Items)
                    Write(item, dotNet, sb);
                sb.Append(')');
                break;
            case Repeat r:
                Write(r.Item is CharSet ? r.Item : new Sequence([r.Item]), dotNet, sb);
                sb.Append((r.Min, r.Max) switch
                {
                    (0, null) => "*",
                    (1, null) => "+",
                    (0, 1) => "?",
                    (var n, null) => $"{{{n},}}",
                    (var n, var m) when n == m => $"{{{n}}}",
                    (var n, var m) => $"{{{n},{m}}}",
                });
                break;
            case Anchor { Start: true }:
                sb.Append('^');
                break;
            case Anchor:
                sb.Append(dotNet ? @"\z" : "$");
                break;
            case CharSet set:
                WriteSet(CaseInsensitive(set), dotNet, sb);
                break;
        }
    }

    /// <summary>Adds the other case of every ASCII letter in the set.</summary>
    static CharSet CaseInsensitive(CharSet set)
    {
        var ranges = new List<(int Lo, int Hi)>(set.Ranges);
        foreach (var (lo, hi) in set.Ranges)
        {
            Add('A', 'Z', 32);
            Add('a', 'z', -32);

            void Add(int from, int to, int shift)
            {
                var l = Math.Max(lo, from);
                var h = Math.Min(hi, to);
                if (l <= h)
                    ranges.Add((l + shift, h + shift));
            }
        }

        return set with { Ranges = Normalize(ranges) };
    }

    static List<(int Lo, int Hi)> Normalize(List<(int Lo, int Hi)> ranges)
    {
        var sorted = ranges.OrderBy(r => r.Lo).ToList();
        var merged = new List<(int Lo, int Hi)>();
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1)
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, r.Hi));
            else
                merged.Add(r);
        }

        return merged;
    }

    const string SurrogatePair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";

    static void WriteSet(CharSet set, bool dotNet, StringBuilder sb)
    {
        if (set.Ranges is [var (only, end)] && only == end && !set.Negated)
        {
            WriteChar(only, dotNet, sb);
            return;
        }

        if (!dotNet)
        {
            if (set.Negated && set.Ranges.Count == 0)
            {
                sb.Append('.');
                return;
            }

            sb.Append(set.Negated ? "[^" : "[");
            WriteRanges(set.Ranges, dotNet, sb);
            sb.Append(']');
            return;
        }

        if (set.Negated)
        {
            // One character outside the set: a surrogate pair (a character beyond the BMP, never in a set), or one BMP char.
            sb.Append("(?:").Append(SurrogatePair).Append("|[^");
            WriteRanges(set.Ranges, dotNet, sb);
            sb.Append(@"\uD800-\uDFFF])");
            return;
        }

        // A positive set never holds a surrogate code unit on its own: cut the surrogate block out of wide ranges.
        var ranges = new List<(int, int)>();
        foreach (var (lo, hi) in set.Ranges)
        {
            if (hi < 0xD800 || lo > 0xDFFF)
                ranges.Add((lo, hi));
            else
            {
                if (lo < 0xD800)
                    ranges.Add((lo, 0xD7FF));
                if (hi > 0xDFFF)
                    ranges.Add((0xE000, hi));
            }
        }

        sb.Append('[');
        WriteRanges(ranges, dotNet, sb);
        sb.Append(']');
    }

    static void WriteRanges(IEnumerable<(int Lo, int Hi)> ranges, bool dotNet, StringBuilder sb)
    {
        foreach (var (lo, hi) in ranges)
        {
            WriteChar(lo, dotNet, sb);
            if (hi != lo)
            {
                sb.Append('-');
                WriteChar(hi, dotNet, sb);
            }
        }
    }

    /// <summary>ASCII letters and digits as themselves, everything else as a \u escape: never a character either engine reads as syntax.</summary>
    static void WriteChar(int c, bool dotNet, StringBuilder sb)
    {
        if (c < 128 && char.IsAsciiLetterOrDigit((char)c))
            sb.Append((char)c);
        else if (c <= 0xFFFF)
            sb.Append(@"\u").Append(c.ToString("X4", CultureInfo.InvariantCulture));
        else if (dotNet)
        {
            var pair = char.ConvertFromUtf32(c);
            sb.Append(@"(?:\u").Append(((int)pair[0]).ToString("X4", CultureInfo.InvariantCulture))
                .Append(@"\u").Append(((int)pair[1]).ToString("X4", CultureInfo.InvariantCulture)).Append(')');
        }
        else
            sb.Append(@"\U").Append(c.ToString("X8", CultureInfo.InvariantCulture));
    }
}

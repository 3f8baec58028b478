using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Testing.OpenApi;
using static GrowthOps.Testing.Fuzzing.HostileRequest.Expectation;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// Turns a service's OpenAPI document into a bounded list of hostile requests against one tenant: for every operation a few
/// of each family (malformed and mistyped bodies, bad strings and numbers, deep nesting, big arrays, odd paths and query
/// parameters, another tenant's ids, bad tokens, odd headers and content types, wrong methods), each variant and place
/// drawn from a seeded <see cref="Random"/> so that a seed gives the same requests again.
/// </summary>
public sealed class HostileRequestPlanner(
    OpenApiContract contract, Random random, HarvestedTenant tenant, HarvestedTenant other, string bearer,
    IReadOnlyDictionary<string, string> examples, IReadOnlySet<string>? externalPathParameters = null)
{
    static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    static readonly string[] TopLevelTypes = ["object", "array", "string", "number", "boolean", "null"];
    static readonly byte[] Marker = "\"__growthops_fuzz__\""u8.ToArray();

    readonly List<HostileRequest> planned = [];
    int unique;

    public IReadOnlyList<HostileRequest> Plan(IReadOnlyList<OpenApiContract.Operation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            PlanBody(operation);
            PlanPath(operation);
            PlanQuery(operation);
            PlanHeaders(operation);
        }

        PlanTokens(operations);
        PlanMethods(operations);
        // Shuffled so that failing requests land between others, but deletions last: they would take the seeded objects
        // away from the requests still to come.
        return planned
            .Select((request, index) => request with { Id = string.Create(CultureInfo.InvariantCulture, $"{index:D4}:{request.Kind}:{request.Operation}") })
            .Select(request => (Request: request, Order: random.Next()))
            .OrderBy(x => x.Request.Method == "DELETE")
            .ThenBy(x => x.Order)
            .Select(x => x.Request)
            .ToList();
    }

    void PlanBody(OpenApiContract.Operation operation)
    {
        if (BodyShape(operation) is not { } shape)
            return;
        var locations = BodyLocation.Walk(shape, NewBody(operation, shape)).ToList();

        foreach (var (kind, json, description, refuse) in Pick(Malformed(Bytes(NewBody(operation, shape))).ToList(), 2))
            AddBody(operation, kind, json, description, refuse ? Refused : NoServerError);

        if (Pick(TopLevelTypes.Where(t => !shape.Admits(t)).ToList(), 1) is [var top])
        {
            var value = HostileValue.OfType(top);
            AddBody(operation, "json.top-level-" + top, value.Json, $"the body is {value.Description}", Refused);
        }

        // Members of array elements only where the example has them: a union schema (one "action" with every type's members)
        // lists members that the element's own type ignores.
        var mistyped = locations.Where(l => l.Path.Count == 1 || l.Present)
            .SelectMany(l => WrongTypes(l.Shape).Select(type => (Location: l, Type: type))).ToList();
        foreach (var (location, type) in Pick(mistyped, 3))
            AddValue(operation, shape, location, HostileValue.OfType(type), Refused);

        if (Pick(locations.Where(l => l is { Required: true, Present: true }).ToList(), 1) is [var required])
        {
            var body = NewBody(operation, shape);
            Remove(body!, required.Path);
            AddBody(operation, "json.missing-required", Bytes(body), $"without required {required}", Refused);
        }

        PlanStrings(operation, shape, locations);

        foreach (var numeric in Pick(locations.Where(l => !l.Shape.IsAny && l.Shape.Admits("integer")).ToList(), 3))
        {
            var value = Pick(HostileValue.Numbers(numeric.Shape).ToList(), 1)[0];
            AddValue(operation, shape, numeric, value, value.Refuse ? Refused : NoServerError);
        }

        if (Pick(locations.Where(l => l.Shape.Format == "date-time").ToList(), 1) is [var date])
        {
            (string Value, bool Refuse)[] dates =
            [
                ("0001-01-01T00:00:00Z", false), ("9999-12-31T23:59:59Z", false), ("not-a-date", true), ("2024-02-30T00:00:00Z", true),
                ("2024-01-01T25:61:00Z", true), ("1e309", true),
            ];
            var (value, refuse) = Pick(dates, 1)[0];
            AddValue(operation, shape, date, HostileValue.Raw(refuse ? "date.invalid" : "date.edge", $"\"{value}\"", value, refuse), refuse ? Refused : NoServerError);
        }

        var nests = locations.Where(l => l.Shape.Admits("object") || l.Shape.Admits("array")).ToList();
        var deep = HostileValue.DeepNesting(random);
        if (Pick(nests, 1) is [var nest])
            AddValue(operation, shape, nest, deep, Refused);
        else
            AddBody(operation, deep.Kind, deep.Json, $"the body is {deep.Description}", Refused);

        PlanArrays(operation, shape, locations);

        (string? Type, bool Refuse)[] contentTypes =
        [
            ("text/plain", true), ("application/xml", true), ("application/x-www-form-urlencoded", true), (null, true),
            ("multipart/form-data; boundary=fuzz", true), ("application/json; charset=iso-8859-1", false), ("application/json; charset=utf-16", false),
        ];
        var (contentType, refuseType) = Pick(contentTypes, 1)[0];
        Add(operation, "content-type." + (contentType?.Split(';')[0] ?? "none"), $"the JSON body as {contentType ?? "no content type"}",
            refuseType ? Refused : NoServerError, body: Bytes(NewBody(operation, shape)), contentType: contentType);

        if (Pick(locations.Where(l => l.Shape.Format == "uuid").ToList(), 1) is [var reference] && other.AnyId(random) is { } foreign)
            AddValue(operation, shape, reference, HostileValue.Raw("tenant.foreign-id-in-body", $"\"{foreign}\"", $"another tenant's id {foreign}", refuse: false),
                NoServerError);
    }

    void PlanStrings(OpenApiContract.Operation operation, SchemaShape shape, List<BodyLocation> locations)
    {
        var places = locations.Where(l => l.Shape.Admits("string") || l.Shape.Admits("object")).ToList();
        if (places.Count == 0)
            return;
        string[] kinds =
        [
            "string.nul", random.Next(2) == 0 ? "string.lone-high-surrogate" : "string.lone-low-surrogate", "string.invalid-utf8",
            Pick(new[] { "string.rtl-override", "string.control", "string.astral", "string.long" }, 1)[0],
        ];
        foreach (var kind in kinds)
        {
            var place = places[random.Next(places.Count)];
            var value = HostileValue.Text(kind, random);
            // Free-form objects (attributes, metadata) get the string as a member's value or, a third of the time, its name.
            if (!place.Shape.Types.Contains("string") && place.Shape.Admits("object"))
                value = value.InObject(asKey: random.Next(3) == 0);
            AddValue(operation, shape, place, value, value.Refuse ? Refused : NoServerError, field: value.NameField ? place.Member : null);
        }
    }

    void PlanArrays(OpenApiContract.Operation operation, SchemaShape shape, List<BodyLocation> locations)
    {
        if (Pick(locations.Where(l => !l.Shape.IsAny && l.Shape.Admits("array") && l.Shape.Items is not null).ToList(), 1) is not [var array])
            return;
        var element = ElementOf(NewBody(operation, shape), array) ?? Default(array.Shape.Items!);
        var elementJson = element?.ToJsonString() ?? "null";
        var count = Math.Min(Pick(new[] { 1_000, 5_000, 20_000 }, 1)[0], 3_000_000 / (elementJson.Length + 1));
        AddValue(operation, shape, array,
            HostileValue.Raw("array.big", "[" + string.Join(',', Enumerable.Repeat(elementJson, count)) + "]", $"{count:N0} elements", refuse: false),
            NoServerError);

        var nullable = array.Shape.Items!.Admits("null");
        var withNull = random.Next(2) == 0 ? "[null]" : $"[{elementJson},null]";
        AddValue(operation, shape, array, HostileValue.Raw("array.null-element", withNull, withNull.Length > 80 ? "[element, null]" : withNull, refuse: !nullable),
            nullable ? NoServerError : Refused);
    }

    static JsonNode? ElementOf(JsonNode? body, BodyLocation array)
    {
        var node = body;
        foreach (var segment in array.Path)
            node = segment is int index ? (node as JsonArray)?[index] : (node as JsonObject)?[(string)segment];
        return node is JsonArray { Count: > 0 } elements ? elements[0]?.DeepClone() : null;
    }

    IEnumerable<(string Kind, byte[] Json, string Description, bool Refuse)> Malformed(byte[] body)
    {
        var cut = 1 + random.Next(Math.Max(1, body.Length - 1));
        yield return ("json.truncated", body[..Math.Min(cut, body.Length - 1)], $"cut after {cut} bytes", true);
        yield return ("json.trailing-garbage", [.. body, .. "}x"u8], "followed by }x", true);
        yield return ("json.trailing-comma", body.Length > 2 && body[^1] == (byte)'}' ? [.. body[..^1], .. ",}"u8] : [.. body, .. ","u8], "a trailing comma", true);
        yield return ("json.single-quotes", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace('"', '\'')), "single quotes", true);
        yield return ("json.comment", [.. "/* fuzz */"u8, .. body], "a leading comment", true);
        yield return ("json.empty", [], "an empty body", true);
        yield return ("json.whitespace", "  \r\n\t "u8.ToArray(), "only whitespace", true);
        yield return ("json.bom", [0xEF, 0xBB, 0xBF, .. body], "a byte-order mark first", false);
        yield return ("json.binary", Enumerable.Range(0, 64).Select(_ => (byte)random.Next(256)).ToArray(), "64 random bytes", true);
    }

    static IEnumerable<string> WrongTypes(SchemaShape shape)
    {
        if (shape.IsAny)
            yield break;
        foreach (var type in new[] { "string", "boolean", "null", "object", "array" })
            if (!shape.Admits(type))
                yield return type;
        if (!shape.Admits("integer"))
            yield return "integer";
        else if (!shape.Types.Contains("number"))
            yield return "number";
    }

    void AddValue(OpenApiContract.Operation operation, SchemaShape shape, BodyLocation location, HostileValue value,
        HostileRequest.Expectation expect, string? field = null)
    {
        var body = NewBody(operation, shape);
        byte[] json;
        if (location.Path.Count == 0)
            json = value.Json;
        else
        {
            Set(body!, location.Path, JsonValue.Create("__growthops_fuzz__"));
            json = Replace(Bytes(body), Marker, value.Json);
        }

        AddBody(operation, value.Kind, json, $"{location} = {value.Description} (schema: {location.Shape})", expect, field);
    }

    void AddBody(OpenApiContract.Operation operation, string kind, byte[] json, string description, HostileRequest.Expectation expect, string? field = null) =>
        Add(operation, kind, description, expect, body: json, field: field);

    void PlanPath(OpenApiContract.Operation operation)
    {
        var parameters = Parameters(operation, "path").ToList();
        // A dot segment in every parameter (one resolved before routing reaches another route: DELETE …/tags/.. deleting the
        // contact), then two odd values of any family.
        var odd = parameters.Select(p => (p.Name, Value: OddSegment(p.Shape, dotSegment: true)))
            .Concat(Enumerable.Range(0, parameters.Count == 0 ? 0 : 2).Select(_ =>
            {
                var (name, shape) = parameters[random.Next(parameters.Count)];
                return (name, Value: OddSegment(shape, dotSegment: false));
            }))
            .ToList();
        foreach (var (name, (kind, value, refuse)) in odd)
            Add(operation, kind, $"{{{name}}} = {Shorten(value)}", refuse ? Refused : NoServerError,
                target: Fill(operation, tenant, new Dictionary<string, string> { [name] = value }), body: BodyFor(operation));

        // Each resolves to the parent path: a different route, or none.
        var suffix = Pick(new[] { "/..", "/%2E%2E", "/.%2e", "/../" }, 1)[0];
        Add(operation, "path.trailing-dot-segment", $"{suffix} after the path", Refused, target: Fill(operation, tenant) + suffix, body: BodyFor(operation));

        // An id of another service's resource (an Email campaign) is no tenant's to refuse: the answer must still show nothing of
        // the other tenant, which the fingerprint and the leak check hold it to.
        if (parameters.Count > 0)
            Add(operation, "tenant.foreign-id-in-path", "another tenant's ids in the path",
                parameters.All(p => externalPathParameters?.Contains(p.Name) == true) ? NoServerError : Refused,
                target: Fill(operation, other), body: BodyFor(operation));
    }

    (string Kind, string Value, bool Refuse) OddSegment(SchemaShape shape, bool dotSegment)
    {
        var uuid = shape.Format == "uuid";
        var id = NewId();
        var families = new List<(string Kind, string[] Values, bool Refuse)>
        {
            ("path.dot-segment", ["..", ".", "%2E%2E", "%2e", ".%2E", "%252E%252E", "%C0%AE%C0%AE"], true),
            ("path.nul", ["%00", "fuzz%00", "%00.."], true),
            ("path.encoded-slash", ["%2F", "fuzz%2Ffuzz", "..%2F..", "%5C..%5C"], true),
            ("path.long-segment", [new string('x', 2_000), new string('x', 9_000), new string('x', 70_000)], true),
            ("path.bad-escape", ["%ZZ", "%", "fuzz%E2%82"], true),
            ("path.unicode", ["%C3%A9t%C3%A9", "%E2%80%AEfuzz", "%F0%9F%98%80"], false),
        };
        if (uuid)
            families.Add(("path.not-a-uuid", ["not-a-uuid", "-1", "0", $"%7B{id}%7D", $"{id}%20", "00000000-0000-0000-0000-000000000000", $"{id}x"], true));
        var (kind, values, refuse) = dotSegment ? families[0] : families[1 + random.Next(families.Count - 1)];
        return (kind, values[random.Next(values.Length)], refuse);
    }

    void PlanQuery(OpenApiContract.Operation operation)
    {
        if (operation.Method != "GET")
            return;
        var parameters = Parameters(operation, "query").ToList();
        var path = Fill(operation, tenant);
        if (parameters.Count == 0)
        {
            // Not a list: an unknown parameter may be ignored here, but must not break anything.
            Add(operation, "query.unknown", "?fuzz_unknown=1", NoServerError, target: path + "?fuzz_unknown=1");
            return;
        }

        foreach (var (name, shape) in parameters)
        {
            if (shape.Format == "uuid" && other.AnyId(random) is { } foreign)
                Add(operation, "query.foreign-id", $"{name} = another tenant's id", EmptyOrRefused, target: $"{path}?{name}={foreign}");
            // Ranges are [from, to): one that ends at the first instant there is, or starts at the last one (after the edge dates
            // the body cases may store), holds nothing. A filter that works lists nothing.
            if (shape.Format == "date-time" && name.EndsWith("from", StringComparison.Ordinal))
                Add(operation, "query.empty-window", $"{name} at the last instant", EmptyOrRefused, target: $"{path}?{name}=9999-12-31T23:59:59.9999999Z");
            if (shape.Format == "date-time" && name.EndsWith("to", StringComparison.Ordinal))
                Add(operation, "query.empty-window", $"{name} at the first instant", EmptyOrRefused, target: $"{path}?{name}=0001-01-01T00:00:00Z");
        }

        var options = new List<(string Kind, string Query, string Description, HostileRequest.Expectation Expect, string? Field)>
        {
            ("query.unknown", "fuzz_unknown=1", "an undocumented parameter", Refused, null),
            ("query.repeated", $"{parameters[0].Name}={Valid(parameters[0].Shape)}&{parameters[0].Name}={Valid(parameters[0].Shape)}", "a parameter twice", NoServerError, null),
            ("query.invalid-utf8", $"{parameters[0].Name}=%C3%28", "invalid UTF-8 (%C3%28)", NoServerError, null),
        };
        foreach (var (name, shape) in parameters)
        {
            if (name.Contains('_', StringComparison.Ordinal))
                options.Add(("query.camel-case", $"{CamelCase(name)}={Valid(shape)}", $"{CamelCase(name)} instead of {name}", Refused, null));
            if (shape.Types.Contains("string") && shape.Format is null)
            {
                options.Add(("query.nul", $"{name}=fuzz%00", $"{name} with a NUL", Refused, name));
                options.Add(("query.long", $"{name}={new string('x', 100_000)}", $"{name} of 100,000 characters", Refused, null));
            }

            foreach (var (value, expect) in OffSchema(shape))
                options.Add((expect == Refused ? "query.off-schema" : "query.edge", $"{name}={value}", $"{name} = {Shorten(value)} (schema: {shape})", expect, null));
            if (name == "cursor")
                foreach (var cursor in TamperedCursors(operation))
                    options.Add(("query.cursor", $"cursor={cursor.Value}", cursor.Description, cursor.Expect, null));
        }

        foreach (var (kind, query, description, expect, field) in Pick(options, 4))
            Add(operation, kind, description, expect, target: $"{path}?{query}", field: field);
    }

    static IEnumerable<(string Value, HostileRequest.Expectation Expect)> OffSchema(SchemaShape shape)
    {
        if (shape.Types.Contains("integer"))
        {
            foreach (var value in new[] { "0", "-1", "1000000000", "99999999999999999999" })
            {
                var n = decimal.Parse(value, CultureInfo.InvariantCulture);
                var outside = n < shape.Minimum || n > shape.Maximum || (shape.Format == "int32" && n > int.MaxValue) || n > long.MaxValue;
                yield return (value, outside ? Refused : NoServerError);
            }

            yield return ("abc", Refused);
            yield return ("1.5", Refused);
        }

        if (shape.Types.Contains("boolean"))
            yield return ("maybe", Refused);
        if (shape.Format == "uuid")
            yield return ("not-a-uuid", Refused);
        if (shape.Format == "date-time")
        {
            yield return ("not-a-date", Refused);
            yield return ("2024-13-45T99:00:00Z", Refused);
            yield return ("0001-01-01T00:00:00Z", NoServerError);
            yield return ("9999-12-31T23:59:59.9999999Z", NoServerError);
        }
    }

    IEnumerable<(string Value, string Description, HostileRequest.Expectation Expect)> TamperedCursors(OpenApiContract.Operation operation)
    {
        static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
        var id = NewId().ToString("N");
        if (tenant.Cursors.TryGetValue(operation.Path, out var real) && real.Length > 2)
        {
            var flipped = real.ToCharArray();
            var at = random.Next(flipped.Length);
            flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
            yield return (new string(flipped), "a real cursor with one character changed", NoServerError);
        }

        yield return (Encode($"-1:{id}"), "a cursor of \"-1:<uuid>\"", Refused);
        yield return (Encode($"99999999999999999999:{id}"), "a cursor past DateTime.MaxValue", Refused);
        yield return (Encode("fuzz"), "a cursor of \"fuzz\"", Refused);
        yield return ("not%20a%20cursor!", "a cursor that is not base64url", Refused);
        yield return (Encode(new string('9', 10_000)), "a cursor of 13 KB", Refused);
        yield return ("%00", "a NUL cursor", Refused);
    }

    void PlanHeaders(OpenApiContract.Operation operation)
    {
        var secured = IsSecured(operation);
        var options = new List<(string Kind, KeyValuePair<string, string>[] Headers, string Description, HostileRequest.Expectation Expect, bool WithToken, bool Malformed)>
        {
            ("header.non-ascii", [new("X-Fuzz", "fuzz é 日本 \u202E")], "a header with non-ASCII characters", NoServerError, true, false),
            // Refused or not, depending on the server's limits; an error must still be a problem.
            ("header.huge", [new("X-Fuzz", new string('x', Pick(new[] { 20_000, 40_000, 70_000 }, 1)[0]))], "one huge header", NoServerError, true, false),
            ("header.many", Enumerable.Range(0, 150).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", "x")).ToArray(), "150 headers", Refused, true, false),
            // The client prefers HTML; the error must still be a problem document.
            ("header.accept-html", [new("Accept", "text/html")], "Accept: text/html on an error", secured ? Unauthorized : Refused, !secured, !secured),
            ("header.accept-xml", [new("Accept", "application/xml")], "Accept: application/xml on an error", secured ? Unauthorized : Refused, !secured, !secured),
        };
        if (Parameters(operation, "header").Any(p => p.Name == "Idempotency-Key"))
        {
            options.Add(("header.idempotency-key", [new("Idempotency-Key", new string('k', 300))], "an Idempotency-Key of 300 characters", Refused, true, false));
            options.Add(("header.idempotency-key", [new("Idempotency-Key", "ключ-fuzz")], "a non-ASCII Idempotency-Key", Refused, true, false));
        }

        var (kind, headers, description, expect, withToken, malformed) = Pick(options, 1)[0];
        var body = BodyFor(operation);
        Add(operation, kind, description, expect, headers: headers, body: malformed && body is not null ? [.. body, .. "}x"u8] : body,
            asTenant: withToken, token: withToken ? bearer : null);
    }

    void PlanTokens(IReadOnlyList<OpenApiContract.Operation> operations)
    {
        var tokens = HostileTokens.For(tenant.Id);
        var secured = Pick(operations.Where(IsSecured).ToList(), int.MaxValue);
        // One per operation: every variant at least once, then at random.
        for (var i = 0; i < secured.Count; i++)
        {
            var (kind, header) = i < tokens.Count ? tokens[i] : tokens[random.Next(tokens.Count)];
            var operation = secured[i];
            Add(operation, kind, $"Authorization: {Shorten(header ?? "(none)")}", Unauthorized, body: BodyFor(operation), asTenant: false, token: header);
        }
    }

    void PlanMethods(IReadOnlyList<OpenApiContract.Operation> operations)
    {
        foreach (var path in operations.GroupBy(o => o.Path, StringComparer.Ordinal))
        {
            var documented = contract.Operations.Where(o => o.Path == path.Key).Select(o => o.Method).ToHashSet(StringComparer.Ordinal);
            var missing = Methods.Where(m => !documented.Contains(m)).ToList();
            if (Pick(missing, 1) is not [var method])
                continue;
            var template = path.First();
            // Anonymous paths (webhooks) are called without a token: the method decides before any signature check.
            var secured = IsSecured(template);
            Add(template with { Method = method }, "method.not-allowed", $"{method} on a path without it", MethodNotAllowed,
                target: Fill(template, tenant), body: method is "POST" or "PUT" or "PATCH" ? "{}"u8.ToArray() : null, asTenant: secured,
                token: secured ? "" : null);
        }
    }

    void Add(OpenApiContract.Operation operation, string kind, string description, HostileRequest.Expectation expect, string? target = null,
        byte[]? body = null, string? contentType = "application/json", KeyValuePair<string, string>[]? headers = null, string? field = null,
        bool asTenant = true, string? token = "")
    {
        var sent = new List<KeyValuePair<string, string>>();
        if ((token == "" ? bearer : token) is { } authorization)
            sent.Add(new("Authorization", authorization));
        sent.AddRange(headers ?? []);
        planned.Add(new HostileRequest
        {
            Id = "",
            Kind = kind,
            Operation = $"{operation.Method} {operation.Path}",
            Method = operation.Method,
            Target = target ?? Fill(operation, tenant),
            Headers = sent,
            Body = body,
            ContentType = body is null ? null : contentType,
            AsTenant = asTenant,
            Expect = expect,
            Field = field,
            Description = description,
        });
    }

    /// <summary>The operation's path with the owner's values (<paramref name="overrides"/> sent as written).</summary>
    string Fill(OpenApiContract.Operation operation, HarvestedTenant owner, IReadOnlyDictionary<string, string>? overrides = null) =>
        owner.Fill(operation.Path, overrides, name => Valid(Parameters(operation, "path").FirstOrDefault(p => p.Name == name).Shape))!;

    byte[]? BodyFor(OpenApiContract.Operation operation) => BodyShape(operation) is { } shape ? Bytes(NewBody(operation, shape)) : null;

    /// <summary>A valid body to mutate: the test's example with its placeholders filled, or one made from the schema.</summary>
    JsonNode? NewBody(OpenApiContract.Operation operation, SchemaShape shape)
    {
        var n = (++unique).ToString(CultureInfo.InvariantCulture);
        if (!examples.TryGetValue($"{operation.Method} {operation.Path}", out var example))
            return Default(shape);
        var text = example.Replace("{{n}}", n, StringComparison.Ordinal);
        foreach (var (name, value) in tenant.Tenant.Values)
            text = text.Replace($"{{{{{name}}}}}", value, StringComparison.Ordinal);
        if (text.Contains("{{", StringComparison.Ordinal))
            throw new InvalidOperationException($"The example for {operation.Method} {operation.Path} names a value the seed did not return: {text}");
        return JsonNode.Parse(text);
    }

    /// <summary>The simplest value a schema admits, with every required member.</summary>
    JsonNode? Default(SchemaShape shape, int depth = 0)
    {
        if (shape.Admits("object") && !shape.IsAny)
        {
            var result = new JsonObject();
            if (depth < 3)
                foreach (var (name, member) in shape.Properties.Where(p => shape.Required.Contains(p.Name)))
                    result[name] = Default(member, depth + 1);
            return result;
        }

        if (shape.Admits("array") && !shape.IsAny)
            return new JsonArray(shape.Items is { } items && depth < 3 ? Default(items, depth + 1) : null);
        if (shape.IsAny || shape.Admits("string"))
            return JsonValue.Create(Valid(shape));
        if (shape.Admits("integer"))
            return JsonValue.Create(1);
        if (shape.Admits("boolean"))
            return JsonValue.Create(true);
        return null;
    }

    /// <summary>A value of the schema for a path or query parameter.</summary>
    string Valid(SchemaShape? shape) => shape?.Format switch
    {
        "uuid" => tenant.AnyId(random) ?? Guid.Empty.ToString(),
        "date-time" => "2020-01-01T00:00:00Z",
        _ when shape?.Types.Contains("integer") == true => (shape.Minimum ?? 1).ToString(CultureInfo.InvariantCulture),
        _ when shape?.Types.Contains("boolean") == true => "true",
        _ => "fuzz",
    };

    SchemaShape? BodyShape(OpenApiContract.Operation operation) =>
        operation.Definition.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content) &&
        content.TryGetProperty("application/json", out var media) && media.TryGetProperty("schema", out var schema)
            ? SchemaShape.Of(contract.Document, schema)
            : null;

    IEnumerable<(string Name, SchemaShape Shape)> Parameters(OpenApiContract.Operation operation, string location) =>
        operation.Definition.TryGetProperty("parameters", out var list)
            ? list.EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == location)
                .Select(p => (p.GetProperty("name").GetString()!, SchemaShape.Of(contract.Document, p.TryGetProperty("schema", out var s) ? s : default)))
            : [];

    static bool IsSecured(OpenApiContract.Operation operation) =>
        operation.Definition.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;

    /// <summary><paramref name="count"/> distinct items in a seeded order (fewer when there are fewer).</summary>
    List<T> Pick<T>(IReadOnlyList<T> items, int count)
    {
        var order = items.Select(item => (Item: item, Key: random.Next())).OrderBy(x => x.Key).Select(x => x.Item);
        return order.Take(count).ToList();
    }

    /// <summary>A UUID from the seeded random, so a seed plans the same paths again.</summary>
    Guid NewId()
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    static byte[] Bytes(JsonNode? node) => Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");

    static void Set(JsonNode root, IReadOnlyList<object> path, JsonNode? value)
    {
        var node = root;
        for (var i = 0; i < path.Count - 1; i++)
            node = path[i] switch
            {
                int index => node.AsArray()[index]!,
                string name => node.AsObject()[name] is JsonObject or JsonArray ? node.AsObject()[name]! : node.AsObject()[name] = new JsonObject(),
                _ => throw new InvalidOperationException(),
            };
        switch (path[^1])
        {
            case int index:
                node.AsArray()[index] = value;
                break;
            case string name:
                node.AsObject()[name] = value;
                break;
        }
    }

    static void Remove(JsonNode root, IReadOnlyList<object> path)
    {
        var node = root;
        foreach (var segment in path.Take(path.Count - 1))
            node = segment is int index ? node.AsArray()[index]! : node.AsObject()[(string)segment]!;
        node.AsObject().Remove((string)path[^1]);
    }

    static byte[] Replace(byte[] text, byte[] marker, byte[] value)
    {
        var at = text.AsSpan().IndexOf(marker);
        return at < 0 ? text : [.. text[..at], .. value, .. text[(at + marker.Length)..]];
    }

    static string CamelCase(string snake)
    {
        var parts = snake.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    static string Shorten(string text) => text.Length <= 60 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..40]}… ({text.Length:N0} chars)");
}

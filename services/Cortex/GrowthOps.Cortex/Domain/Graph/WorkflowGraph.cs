using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace GrowthOps.Cortex.Domain.Graph;

/// <summary>A node of a workflow graph as the React Flow builder saves it (<c>id</c>, <c>type</c>, <c>position</c>, <c>data</c>).</summary>
public sealed record GraphNode(string Id, string Type, string? Subtype, JsonElement Data)
{
    /// <summary>The action's or trigger's <c>config</c> (<c>data.config</c>), an empty object when absent.</summary>
    public JsonElement Config => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("config", out var c) ? c : Empty;

    static readonly JsonElement Empty = JsonSerializer.SerializeToElement(new { });
}

/// <summary>An edge: <c>source</c> → <c>target</c>, leaving the source by <c>sourceHandle</c> (a branch's <c>true</c>, a split's variant).</summary>
public sealed record GraphEdge(string Id, string Source, string Target, string? SourceHandle);

/// <summary>
/// A workflow's graph: the builder's JSON kept as given (<see cref="Json"/>), read into nodes and edges for validation and
/// execution. <see cref="Read"/> refuses only what is not a graph at all (400); <see cref="Validate"/> lists everything that
/// keeps a graph from being published (422), each error under its node's or edge's id and field.
/// </summary>
public sealed class WorkflowGraph
{
    public const int MaxNodes = 500;
    public const int MaxEdges = 2000;
    public const int MaxIdLength = 100;
    public const double MaxDelaySeconds = 5 * 366 * 86400d;

    WorkflowGraph(JsonElement json, IReadOnlyList<GraphNode> nodes, IReadOnlyList<GraphEdge> edges)
    {
        Json = json;
        Nodes = nodes;
        Edges = edges;
    }

    public JsonElement Json { get; }
    public IReadOnlyList<GraphNode> Nodes { get; }
    public IReadOnlyList<GraphEdge> Edges { get; }

    public GraphNode? TriggerNode => Nodes.FirstOrDefault(n => n.Type == NodeCatalog.Trigger);

    /// <summary>The trigger's event type (<c>data.trigger_type</c>), once the graph is valid.</summary>
    public string? TriggerType => TriggerNode?.Subtype;

    static string? Text(JsonElement e, params string[] names)
    {
        if (e.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var name in names)
            if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
                return v.GetString();
        return null;
    }

    public static WorkflowGraph? Read(JsonElement json, Dictionary<string, string[]> errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors["graph"] = ["must be an object with nodes and edges"];
            return null;
        }

        if (!json.TryGetProperty("nodes", out var nodesJson) || nodesJson.ValueKind != JsonValueKind.Array)
            errors["graph.nodes"] = ["an array of nodes is required"];
        if (!json.TryGetProperty("edges", out var edgesJson) || edgesJson.ValueKind != JsonValueKind.Array)
            errors["graph.edges"] = ["an array of edges is required"];
        if (errors.Count > 0)
            return null;
        if (nodesJson.GetArrayLength() > MaxNodes)
            errors["graph.nodes"] = [$"at most {MaxNodes} nodes"];
        if (edgesJson.GetArrayLength() > MaxEdges)
            errors["graph.edges"] = [$"at most {MaxEdges} edges"];
        if (errors.Count > 0)
            return null;

        var nodes = new List<GraphNode>();
        var index = 0;
        foreach (var n in nodesJson.EnumerateArray())
        {
            var at = $"graph.nodes[{index++}]";
            var id = Text(n, "id");
            if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength)
            {
                errors[$"{at}.id"] = [$"a string of 1 to {MaxIdLength} characters"];
                continue;
            }

            var data = n.ValueKind == JsonValueKind.Object && n.TryGetProperty("data", out var d) ? d : default;
            if (data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
                errors[$"{at}.data"] = ["must be an object"];
            var rawType = Text(n, "type") ?? Text(data, "type", "node_type", "nodeType");
            var type = NodeCatalog.NodeType(rawType) ?? rawType ?? "";
            var subtype = type switch
            {
                NodeCatalog.Trigger => Text(data, "trigger_type", "triggerType", "event"),
                NodeCatalog.Action => Text(data, "action_type", "actionType", "action"),
                _ => null,
            };
            nodes.Add(new GraphNode(id, type, subtype?.Trim(), data));
        }

        var edges = new List<GraphEdge>();
        index = 0;
        foreach (var e in edgesJson.EnumerateArray())
        {
            var at = $"graph.edges[{index++}]";
            var (id, source, target) = (Text(e, "id"), Text(e, "source"), Text(e, "target"));
            if (string.IsNullOrWhiteSpace(source) || string.IsNullOrWhiteSpace(target))
            {
                errors[at] = ["source and target are required node ids"];
                continue;
            }

            edges.Add(new GraphEdge(string.IsNullOrWhiteSpace(id) ? $"{source}->{target}" : id, source, target, Text(e, "sourceHandle", "source_handle")));
        }

        return errors.Count > 0 ? null : new WorkflowGraph(json, nodes, edges);
    }

    /// <summary>Everything that keeps the graph from running, keyed <c>nodes[&lt;id&gt;].field</c> or <c>edges[&lt;id&gt;].field</c>.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string key, string message)
        {
            if (!errors.TryGetValue(key, out var list))
                errors[key] = list = [];
            list.Add(message);
        }

        var byId = new Dictionary<string, GraphNode>();
        foreach (var node in Nodes)
            if (!byId.TryAdd(node.Id, node))
                Add($"nodes[{node.Id}].id", "is used by more than one node");

        var triggers = Nodes.Where(n => n.Type == NodeCatalog.Trigger).ToList();
        if (triggers.Count != 1)
            Add("nodes", triggers.Count == 0 ? "a workflow has one trigger node; there is none" : $"a workflow has one trigger node; there are {triggers.Count}");

        foreach (var edge in Edges.GroupBy(e => e.Id).Where(g => g.Count() > 1))
            Add($"edges[{edge.Key}].id", "is used by more than one edge");
        foreach (var edge in Edges)
        {
            if (!byId.ContainsKey(edge.Source))
                Add($"edges[{edge.Id}].source", $"no node '{edge.Source}'");
            if (!byId.ContainsKey(edge.Target))
                Add($"edges[{edge.Id}].target", $"no node '{edge.Target}'");
            if (byId.TryGetValue(edge.Target, out var target) && target.Type == NodeCatalog.Trigger)
                Add($"edges[{edge.Id}].target", "nothing leads into the trigger");
        }

        var outgoing = Edges.Where(e => byId.ContainsKey(e.Source) && byId.ContainsKey(e.Target)).ToLookup(e => e.Source);
        var incoming = Edges.Where(e => byId.ContainsKey(e.Source) && byId.ContainsKey(e.Target)).ToLookup(e => e.Target);
        foreach (var node in byId.Values)
            ValidateNode(node, outgoing[node.Id].ToList(), incoming[node.Id].Count(), Add);

        // Every node reachable from the trigger.
        if (triggers.Count > 0)
        {
            var seen = triggers.Select(t => t.Id).ToHashSet();
            var queue = new Queue<string>(seen);
            while (queue.TryDequeue(out var id))
                foreach (var edge in outgoing[id])
                    if (seen.Add(edge.Target))
                        queue.Enqueue(edge.Target);
            foreach (var node in byId.Values.Where(n => !seen.Contains(n.Id)))
                Add($"nodes[{node.Id}]", "cannot be reached from the trigger");
        }

        // A loop must wait somewhere, or one run would spin forever.
        foreach (var loop in Cycles(byId.Keys, outgoing))
            if (!loop.Any(id => byId[id].Type is NodeCatalog.Delay or NodeCatalog.WaitUntil))
                Add($"nodes[{loop[0]}]", $"is on a loop ({string.Join(" → ", loop)}) with no delay or wait_until in it");

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    static void ValidateNode(GraphNode node, List<GraphEdge> outgoing, int incoming, Action<string, string> add)
    {
        var at = $"nodes[{node.Id}]";
        var handles = outgoing.Select(e => e.SourceHandle ?? "").ToList();
        void Handles(params string[] required)
        {
            foreach (var handle in required.Where(h => !handles.Contains(h)))
                add($"{at}.handles", $"needs an edge from its '{handle}' handle");
            foreach (var edge in outgoing.Where(e => !required.Contains(e.SourceHandle ?? "")))
                add($"edges[{edge.Id}].sourceHandle", $"'{edge.SourceHandle}' is not a handle of {node.Type} '{node.Id}' ({string.Join(", ", required)})");
            foreach (var twice in handles.GroupBy(h => h).Where(g => g.Count() > 1))
                add($"{at}.handles", $"has more than one edge from its '{twice.Key}' handle");
        }

        void AtMostOneNext()
        {
            if (outgoing.Count > 1)
                add($"{at}", $"has {outgoing.Count} next nodes; only a parallel, condition, wait_until or ab_split node branches");
        }

        switch (node.Type)
        {
            case NodeCatalog.Trigger:
                if (node.Data.ValueKind == JsonValueKind.Object && node.Data.TryGetProperty("filter", out var filter) && filter.ValueKind != JsonValueKind.Null)
                    Conditions(filter, null, $"{at}.data.filter", add);
                if (node.Subtype is null)
                    add($"{at}.data.trigger_type", "is required");
                else if (!NodeCatalog.TriggerTypes.Contains(node.Subtype))
                    add($"{at}.data.trigger_type", $"'{node.Subtype}' is no trigger type (GET /api/cortex/catalog lists them)");
                else if (Runs.ScheduleSpec.IsSchedule(node.Subtype))
                    Runs.ScheduleSpec.Read(node.Subtype, node.Data, at, add);
                AtMostOneNext();
                break;
            case NodeCatalog.Action:
                if (node.Subtype is null)
                    add($"{at}.data.action_type", "is required");
                else if (!NodeCatalog.IsAction(node.Subtype))
                    add($"{at}.data.action_type", $"'{node.Subtype}' is no action (GET /api/cortex/catalog lists them)");
                else if (NodeCatalog.SchemaOf(node.Subtype) is { } schema)
                    foreach (var (field, message) in SchemaErrors(schema, node.Config))
                        add($"{at}.data.config{field}", message);
                AtMostOneNext();
                break;
            case NodeCatalog.Condition:
                if (!node.Data.TryGetProperty("conditions", out var conditions) && !node.Data.TryGetProperty("condition", out conditions))
                    add($"{at}.data.conditions", "is required");
                else
                    Conditions(conditions, node.Data.TryGetProperty("logic", out var logic) ? logic : null, $"{at}.data.conditions", add);
                Handles("true", "false");
                break;
            case NodeCatalog.WaitUntil:
                if (!node.Data.TryGetProperty("event", out _) && !node.Data.TryGetProperty("conditions", out _))
                    add($"{at}.data", "waits for an event or conditions");
                else if (node.Data.TryGetProperty("conditions", out var awaited))
                    Conditions(awaited, null, $"{at}.data.conditions", add);
                if (DurationSeconds(node.Data, "timeout") is not (> 0 and <= MaxDelaySeconds))
                    add($"{at}.data.timeout", "is required: up to 5 years (seconds, or {amount, unit})");
                Handles("met", "timeout");
                break;
            case NodeCatalog.Delay:
                var seconds = DurationSeconds(node.Data, "duration");
                var until = node.Data.ValueKind == JsonValueKind.Object && node.Data.TryGetProperty("until", out var u) && u.ValueKind == JsonValueKind.String
                            && DateTimeOffset.TryParse(u.GetString(), out _);
                if (seconds is not (> 0 and <= MaxDelaySeconds) && !until)
                    add($"{at}.data.duration", "a delay waits up to 5 years: duration in seconds or {amount, unit}, or until an ISO 8601 time");
                AtMostOneNext();
                break;
            case NodeCatalog.Parallel:
                if (outgoing.Count < 2)
                    add($"{at}", "a parallel node starts two or more branches");
                break;
            case NodeCatalog.Join:
                if (incoming < 2)
                    add($"{at}", "a join waits for two or more branches");
                if (node.Data.ValueKind == JsonValueKind.Object && node.Data.TryGetProperty("mode", out var mode)
                    && (mode.ValueKind != JsonValueKind.String || mode.GetString() is not ("all" or "any")))
                    add($"{at}.data.mode", "all or any");
                AtMostOneNext();
                break;
            case NodeCatalog.AbSplit:
                var variants = node.Data.ValueKind == JsonValueKind.Object && node.Data.TryGetProperty("variants", out var v) && v.ValueKind == JsonValueKind.Array
                    ? v.EnumerateArray().ToList() : [];
                if (variants.Count < 2)
                    add($"{at}.data.variants", "two or more variants, each {id, weight}");
                var ids = new List<string>();
                for (var i = 0; i < variants.Count; i++)
                {
                    var id = Text(variants[i], "id");
                    if (string.IsNullOrWhiteSpace(id))
                        add($"{at}.data.variants[{i}].id", "is required (the handle its edge leaves by)");
                    else
                        ids.Add(id);
                    if (!variants[i].TryGetProperty("weight", out var w) || w.ValueKind != JsonValueKind.Number || w.GetDouble() is not (> 0 and <= 1e6))
                        add($"{at}.data.variants[{i}].weight", "a number above 0");
                }

                if (node.Data.ValueKind == JsonValueKind.Object && node.Data.TryGetProperty("strategy", out var strategy)
                    && (strategy.ValueKind != JsonValueKind.String || strategy.GetString() is not ("weighted" or "thompson")))
                    add($"{at}.data.strategy", "weighted (random by weight) or thompson (a bandit on the workflow's goal)");
                if (ids.Count >= 2)
                    Handles([.. ids.Distinct()]);
                break;
            case NodeCatalog.Stop:
                if (outgoing.Count > 0)
                    add($"{at}", "a stop node ends the run: nothing comes after it");
                break;
            default:
                add($"{at}.type", $"'{node.Type}' is no node type ({string.Join(", ", NodeCatalog.NodeTypes)})");
                break;
        }
    }

    /// <summary>Conditions as the shared criteria library reads them, with the run's context fields (<c>event.*</c>, <c>time.*</c>…).</summary>
    static void Conditions(JsonElement conditions, JsonElement? logic, string path, Action<string, string> add)
    {
        var result = GrowthOps.Conditions.CriteriaParser.Parse(conditions, logic, Data.ContactsStore.ActivityRetentionDays, path,
            path[..path.LastIndexOf('.')] + ".logic", Runs.RunModel.ContextPrefixes);
        foreach (var error in result.Errors)
            add(error.Path, error.Message);
    }

    /// <summary>A duration: <c>data.&lt;name&gt;_seconds</c>, a number <c>data.&lt;name&gt;</c> in seconds, or <c>{amount, unit}</c>.</summary>
    public static double? DurationSeconds(JsonElement data, string name)
    {
        if (data.ValueKind != JsonValueKind.Object)
            return null;
        if (data.TryGetProperty($"{name}_seconds", out var s) && s.ValueKind == JsonValueKind.Number)
            return s.GetDouble();
        if (!data.TryGetProperty(name, out var d))
            return null;
        if (d.ValueKind == JsonValueKind.Number)
            return d.GetDouble();
        if (d.ValueKind != JsonValueKind.Object || !d.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number)
            return null;
        var unit = Text(d, "unit")?.ToLowerInvariant().TrimEnd('s');
        double? per = unit switch { "second" => 1, "minute" => 60, "hour" => 3600, "day" => 86400, "week" => 7 * 86400, _ => null };
        return per * amount.GetDouble();
    }

    static IEnumerable<(string Field, string Message)> SchemaErrors(JsonSchema schema, JsonElement config)
    {
        var result = schema.Evaluate(JsonNode.Parse(config.GetRawText()), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
            yield break;
        foreach (var detail in result.Details.Where(d => d.HasErrors))
            foreach (var (_, message) in detail.Errors!)
                yield return (detail.InstanceLocation.ToString().Replace('/', '.') is { Length: > 0 } path ? path : "", message);
    }

    /// <summary>The graph's loops: strongly connected components of two or more nodes, or a node with an edge to itself (Tarjan).</summary>
    static List<List<string>> Cycles(IEnumerable<string> ids, ILookup<string, GraphEdge> outgoing)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var loops = new List<List<string>>();
        var counter = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in outgoing[v].Select(e => e.Target))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] != index[v])
                return;
            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            } while (x != v);

            if (component.Count > 1 || outgoing[v].Any(e => e.Target == v))
                loops.Add([.. component.AsEnumerable().Reverse()]);
        }

        foreach (var id in ids)
            if (!index.ContainsKey(id))
                Visit(id);
        return loops;
    }
}

using System.Text.Json;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;

namespace GrowthOps.Email.Tests.Domain.Templates;

/// <summary>The renderer alone: merge fields, escaping, defaults, conditionals, JSON merge data, and where a bad template is wrong.</summary>
public sealed class Rendering_templates
{
    readonly TemplateRenderer renderer = new();

    static Dictionary<string, object?> Model(string json, Recipient? recipient = null) =>
        MergeFields.For(recipient, recipient?.Email ?? "ada@example.com", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json));

    static Recipient Ada(string? company = "Analytical Engines", string attributes = "{}") =>
        new(Guid.NewGuid(), "ada@example.com", "Ada", "Lovelace", company, null, "Europe/London", true,
            JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(attributes)!);

    [Fact]
    public void Fills_a_recipients_fields_and_escapes_them_in_html_only()
    {
        var model = Model("""{"company": "Smith & <Sons>"}""", Ada());

        Assert.Equal("<p>Hi Ada of Smith &amp; &lt;Sons&gt;</p>", renderer.RenderHtml("<p>Hi {{first_name}} of {{company}}</p>", model));
        Assert.Equal("Hi Ada of Smith & <Sons>", renderer.RenderPlain("Hi {{first_name}} of {{company}}", model));
        Assert.Equal("<b>Smith & <Sons></b>", renderer.RenderHtml("<b>{{{company}}}</b>", model));
    }

    [Fact]
    public void A_default_stands_in_for_a_missing_null_or_blank_value_and_is_escaped_like_any_value()
    {
        var model = Model("""{"nickname": null, "title": "  ", "city": "Paris"}""");

        Assert.Equal("Hi there, friend, Sir, Paris", renderer.RenderPlain(
            """Hi {{default first_name "there"}}, {{default nickname "friend"}}, {{default title "Sir"}}, {{default city "nowhere"}}""", model));
        Assert.Equal("Hi Ada", renderer.RenderPlain("""Hi {{default first_name "there"}}""", Model("{}", Ada())));
        Assert.Equal("Tom &amp; Jerry", renderer.RenderHtml("""{{default missing "Tom & Jerry"}}""", model));
        Assert.Equal("Tom & Jerry", renderer.RenderPlain("""{{default missing "Tom & Jerry"}}""", model));
    }

    [Fact]
    public void Conditionals_follow_json_values_as_a_reader_expects()
    {
        const string source = "{{#if vip}}VIP{{else}}regular{{/if}}|{{#if count}}some{{else}}none{{/if}}|{{#unless company}}no company{{/unless}}|{{#if tags}}tagged{{/if}}";

        Assert.Equal("regular|none|no company|", renderer.RenderPlain(source, Model("""{"vip": false, "count": 0, "tags": []}""", Ada(company: null))));
        Assert.Equal("VIP|some||tagged", renderer.RenderPlain(source, Model("""{"vip": true, "count": 3, "tags": ["a"]}""", Ada())));
    }

    [Fact]
    public void Reads_numbers_nested_objects_and_arrays_from_json_merge_data()
    {
        var model = Model("""{"order": {"id": 42, "total": 12.50, "ratio": 1e400, "items": [{"name": "Tea", "qty": 2}, {"name": "Cake", "qty": 1}]}}""");

        Assert.Equal("Order 42: 12.50 — Tea×2, Cake×1, ", renderer.RenderPlain(
            "Order {{order.id}}: {{order.total}} — {{#each order.items}}{{name}}×{{qty}}, {{/each}}", model));
        Assert.Equal("Tea", renderer.RenderPlain("{{#with order}}{{#each items}}{{#if @first}}{{name}}{{/if}}{{/each}}{{/with}}", model));
    }

    [Fact]
    public void Custom_attributes_are_merge_fields_and_merge_data_wins_over_the_recipient()
    {
        var model = Model("""{"first_name": "Countess"}""", Ada(attributes: """{"plan": "pro", "seats": 5}"""));

        Assert.Equal("Countess: pro plan, 5 seats, pro", renderer.RenderPlain("{{first_name}}: {{plan}} plan, {{seats}} seats, {{attributes.plan}}", model));
    }

    [Fact]
    public void A_compiled_template_renders_a_batch_as_the_one_by_one_calls_do()
    {
        var html = renderer.CompileHtml("<p>{{default first_name \"there\"}} &amp; {{company}}</p>");
        var subject = renderer.CompilePlain("{{company}}");
        var models = new[] { Model("{}", Ada(company: "A & B")), Model("""{"first_name": "<Bob>"}"""), Model("{}") };

        foreach (var model in models)
        {
            Assert.Equal(renderer.RenderHtml("<p>{{default first_name \"there\"}} &amp; {{company}}</p>", model), html(model));
            Assert.Equal(renderer.RenderPlain("{{company}}", model), subject(model));
        }

        Assert.Equal("<p>&lt;Bob&gt; &amp; </p>", html(models[1]));
    }

    [Fact]
    public void A_template_that_compiles_has_no_errors()
    {
        Assert.Empty(renderer.Validate("""
            <p>Hi {{default first_name "there"}},</p>
            {{#if company}}<p>{{company}}</p>{{else}}<p>-</p>{{/if}}
            {{#each items}}{{name}}{{/each}} {{! a comment }} {{!-- a }} comment --}} \{{literal}}
            {{{raw}}} {{~trimmed~}} {{lookup order "id"}} {{#unless x}}u{{/unless}}{{#with order}}{{id}}{{/with}}
            """));
    }

    [Theory]
    [InlineData("Hi {{first_name}", 1, 4, "never closed")]
    [InlineData("line one\nline two\n  {{#if company}}abc", 3, 3, "'{{#if}}' is never closed")]
    [InlineData("<p>\n{{#if company}}a{{/each}}</p>", 2, 17, "'{{/each}}' does not close '{{#if}}' opened at line 2, column 1")]
    [InlineData("abc\n{{/if}}", 2, 1, "closes no open block")]
    [InlineData("a\nb\nc {{lookup order=}}", 3, 3, "expected an expression")]
    [InlineData("x\n    {{#if}}y{{/if}}", 2, 5, "needs a value to test")]
    [InlineData("{{shout first_name}}", 1, 1, "'shout' is not a helper")]
    [InlineData("ok\n{{default first_name}}", 2, 1, "default takes a value and a fallback")]
    [InlineData("{{> footer}}", 1, 1, "partials")]
    [InlineData("a {{{x}} b", 1, 3, "'{{{' is closed with '}}'")]
    [InlineData("a {{else}} b", 1, 3, "outside any block")]
    [InlineData("{{default first_name \"there}}", 1, 1, "never closed")]
    [InlineData("{{!-- never ends", 1, 1, "comment")]
    [InlineData("{{}}", 1, 1, "empty tag")]
    public void Names_the_line_and_column_of_what_does_not_compile(string source, int line, int column, string why)
    {
        var error = Assert.Single(renderer.Validate(source));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}, column {column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_template_the_validator_accepts_renders()
    {
        foreach (var source in new[] { "{{a}}{{#if b}}{{c.d}}{{/if}}", "{{#each x}}{{this}}{{/each}}", "{{default a 'b'}}", "{{#if a}}{{else if b}}{{/if}}" })
        {
            Assert.Empty(renderer.Validate(source));
            renderer.RenderHtml(source, Model("{}"));
        }
    }
}

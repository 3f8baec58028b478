using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;

namespace GrowthOps.Email.Tests.Domain.Templates;

/// <summary>The text body derived from an HTML body: what a reader of the plain-text part sees.</summary>
public sealed class Deriving_text_from_html
{
    [Fact]
    public void Keeps_paragraphs_and_line_breaks_and_writes_links_as_text_and_url()
    {
        var text = HtmlText.From("""
            <html><head><title>Ignored</title><style>p { color: red }</style></head>
            <body>
              <h1>Welcome,   {{default first_name "there"}}!</h1>
              <p>Thanks for joining
                 <b>Acme</b>.<br>Your plan: {{plan}}.</p>
              <p>Read <a href="https://acme.example/docs?a=1&amp;b=2">the docs</a> or write to
                 <a href="mailto:help@acme.example">help@acme.example</a>.</p>
              <ul><li>One</li><li>Two</li></ul>
              <p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>
              <script>alert(1)</script>
            </body></html>
            """);

        Assert.Equal("""
            Welcome, {{default first_name "there"}}!

            Thanks for joining Acme.
            Your plan: {{plan}}.

            Read the docs (https://acme.example/docs?a=1&b=2) or write to help@acme.example.

            - One
            - Two

            Unsubscribe ({{unsubscribe_url}})
            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Layout_tables_become_lines_and_images_their_alt_text()
    {
        var text = HtmlText.From("""
            <table><tr><td><img src="logo.png" alt="Acme"></td></tr>
            <tr><td>Left</td><td>Right</td></tr></table><div>After</div><p>Two<br><br>breaks</p>
            """);

        Assert.Equal("Acme\nLeft\nRight\n\nAfter\n\nTwo\n\nbreaks", text);
    }

    [Fact]
    public void The_derived_text_of_a_template_is_itself_a_template_that_compiles()
    {
        var renderer = new TemplateRenderer();
        var text = HtmlText.From("<p>{{#if company}}At <b>{{company}}</b>{{else}}Hello{{/if}}</p>");

        Assert.Empty(renderer.Validate(text));
        Assert.Equal("At Acme & Co", renderer.RenderPlain(text, new Dictionary<string, object?> { ["company"] = "Acme & Co" }));
    }

    [Fact]
    public void A_block_between_paragraphs_leaves_no_empty_lines_when_it_renders_nothing()
    {
        var renderer = new TemplateRenderer();
        var text = HtmlText.From("<p>Hi</p>\n{{#if company}}\n<p>At {{company}}</p>\n{{else}}<p>Solo</p>{{/if}}\n<p>Bye</p>");

        Assert.Equal("Hi\n\nAt Acme\n\nBye", renderer.RenderPlain(text, new Dictionary<string, object?> { ["company"] = "Acme" }));
        Assert.Equal("Hi\n\nSolo\n\nBye", renderer.RenderPlain(text, new Dictionary<string, object?>()));
    }

    [Fact]
    public void A_loop_over_table_rows_stays_around_its_rows()
    {
        var renderer = new TemplateRenderer();
        var text = HtmlText.From("""
            <p>Your order:</p>
            <table>{{#each items}}<tr><td>{{name}}</td><td>{{qty}}</td></tr>{{/each}}</table>
            <p><a href="{{#if vip}}https://acme.example/vip{{else}}https://acme.example{{/if}}">Shop</a> again, {{#if vip}}dear{{/if}} friend.</p>
            """);

        Assert.Empty(renderer.Validate(text));
        var model = new Dictionary<string, object?>
        {
            ["vip"] = true,
            ["items"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "Tea", ["qty"] = 2L }, new Dictionary<string, object?> { ["name"] = "Cake", ["qty"] = 1L } },
        };
        // Each row is a paragraph of its own.
        Assert.Equal("Your order:\n\nTea\n2\n\nCake\n1\n\nShop (https://acme.example/vip) again, dear friend.", renderer.RenderPlain(text, model));
        Assert.Equal("Your order:\n\nShop (https://acme.example) again, friend.", renderer.RenderPlain(text, new Dictionary<string, object?>()));
    }
}

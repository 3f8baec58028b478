using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;

namespace GrowthOps.Email.Tests.Domain.Templates;

/// <summary>
/// Templates pieced together from Handlebars' own syntax at random: the check never fails itself, always points inside the
/// template, and what it accepts renders — so a saved template never fails at send time for its syntax.
/// </summary>
public sealed class Checking_templates_of_any_shape
{
    static readonly string[] Pieces =
    [
        "{{", "}}", "{{{", "}}}", "{{first_name}}", "{{{company}}}", "{{#if company}}", "{{/if}}", "{{else}}", "{{#each items}}", "{{/each}}",
        "{{this}}", "{{#unless vip}}", "{{/unless}}", "{{#with order}}", "{{/with}}", "{{default first_name \"there\"}}", "{{default x}}",
        "{{lookup order \"id\"}}", "{{! note }}", "{{!-- long --}}", "{{~x~}}", "{{> footer}}", "{{shout x}}", "{{#if}}", "{{^}}", "\\{{x}}",
        "#if", "/if", "else", "default", "\"", "'", "(", ")", "=", " ", "\n", "\r\n", "<p>", "</p>", "text", "}", "{", "~", "!", "--", ">", "@index",
        "{{order.id}}", "{{@root.first_name}}", "{{#if a}}{{else if b}}", "{{#each items as |item|}}{{item}}{{/each}}", "{{(default a \"b\")}}",
    ];

    public static Arbitrary<string> Sources() => Arb.From(Gen.Elements(Pieces).ArrayOf().Select(string.Concat));

    readonly TemplateRenderer renderer = new();

    [Property(MaxTest = 500, Arbitrary = [typeof(Checking_templates_of_any_shape)], QuietOnSuccess = true)]
    public void The_check_points_inside_the_template_and_whatever_it_accepts_renders(string source)
    {
        var errors = renderer.Validate(source);

        var lines = source.Split('\n');
        foreach (var error in errors)
        {
            Assert.InRange(error.Line, 1, lines.Length);
            Assert.InRange(error.Column, 1, lines[error.Line - 1].Length + 1);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }

        if (errors.Count > 0)
            return;
        var model = MergeFields.For(null, "a@b.example", null);
        model["company"] = "Acme & Co";
        model["items"] = new List<object?> { "one", "two" };
        model["order"] = new Dictionary<string, object?> { ["id"] = 7L };
        renderer.RenderHtml(source, model);
        renderer.RenderPlain(source, model);
        renderer.RenderHtml(source, new Dictionary<string, object?>());
    }
}

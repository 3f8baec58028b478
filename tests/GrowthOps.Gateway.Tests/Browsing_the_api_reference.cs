using System.Net;
using System.Text.RegularExpressions;

namespace GrowthOps.Gateway.Tests;

public sealed partial class Browsing_the_api_reference
{
    const string LeadsDocument = """{"openapi":"3.1.1","info":{"title":"GrowthOps Leads","version":"v1"},"paths":{}}""";
    const string SegmentsDocument = """{"openapi":"3.1.1","info":{"title":"GrowthOps Segments","version":"v1"},"paths":{}}""";
    const string EmailDocument = """{"openapi":"3.1.1","info":{"title":"GrowthOps Email","version":"v1"},"paths":{}}""";

    static readonly Guid Tenant = Guid.NewGuid();

    [Fact]
    public async Task Lists_every_service_document_at_docs_and_serves_them_through_the_gateway_anonymously_in_development()
    {
        await using var app = GatewayApp.InDevelopment();
        await app.InitializeAsync();
        app.Backends["leads"].Answer("/openapi/v1.json", 200, "application/json", LeadsDocument);
        app.Backends["segments"].Answer("/openapi/v1.json", 200, "application/json", SegmentsDocument);
        app.Backends["email"].Answer("/openapi/v1.json", 200, "application/json", EmailDocument);

        var page = await app.SendAsync(HttpMethod.Get, "/docs", NewProbe());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // Scalar resolves the relative URL against the gateway's base path: /openapi/leads/v1.json.
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("""{"title":"Leads","url":"openapi/leads/v1.json"}""", html, StringComparison.Ordinal);
        Assert.Contains("""{"title":"Segments","url":"openapi/segments/v1.json"}""", html, StringComparison.Ordinal);
        Assert.Contains("""{"title":"Email","url":"openapi/email/v1.json"}""", html, StringComparison.Ordinal);
        Assert.Contains("""{"title":"Cortex","url":"openapi/cortex/v1.json"}""", html, StringComparison.Ordinal);

        var probe = NewProbe();
        var document = await app.SendAsync(HttpMethod.Get, "/openapi/leads/v1.json", probe);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(LeadsDocument, await document.Content.ReadAsStringAsync());
        Assert.Equal("/openapi/v1.json", Assert.Single(app.Backends["leads"].Received(probe)).Path);

        var segmentsProbe = NewProbe();
        var segments = await app.SendAsync(HttpMethod.Get, "/openapi/segments/v1.json", segmentsProbe);
        Assert.True(segments.StatusCode == HttpStatusCode.OK, await segments.Content.ReadAsStringAsync());
        Assert.Equal(SegmentsDocument, await segments.Content.ReadAsStringAsync());
        Assert.Equal("/openapi/v1.json", Assert.Single(app.Backends["segments"].Received(segmentsProbe)).Path);

        var emailProbe = NewProbe();
        var email = await app.SendAsync(HttpMethod.Get, "/openapi/email/v1.json", emailProbe);
        Assert.True(email.StatusCode == HttpStatusCode.OK, await email.Content.ReadAsStringAsync());
        Assert.Equal(EmailDocument, await email.Content.ReadAsStringAsync());
        Assert.Equal("/openapi/v1.json", Assert.Single(app.Backends["email"].Received(emailProbe)).Path);
    }

    [Fact]
    public async Task Loads_the_reference_from_the_gateway_alone()
    {
        await using var app = GatewayApp.InDevelopment();
        await app.InitializeAsync();

        var html = await (await app.SendAsync(HttpMethod.Get, "/docs", NewProbe())).Content.ReadAsStringAsync();

        // No CDN, web fonts, telemetry or AI agent: the machines this runs on may have no internet.
        Assert.DoesNotMatch(ExternalUrl(), html);
        foreach (var setting in new[] { "\"withDefaultFonts\":false", "\"telemetry\":false", "\"agent\":{\"disabled\":true}", "\"mcp\":{\"disabled\":true}" })
            Assert.Contains(setting, html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var response = await app.SendAsync(HttpMethod.Get, new Uri(new Uri("http://gateway/docs/"), script).AbsolutePath, NewProbe());
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Requires_a_token_for_the_reference_and_the_documents_outside_development()
    {
        await using var app = new GatewayApp();
        await app.InitializeAsync();
        app.Backends["leads"].Answer("/openapi/v1.json", 200, "application/json", LeadsDocument);
        var probe = NewProbe();

        await Problems.AssertProblemAsync(await app.SendAsync(HttpMethod.Get, "/docs", probe), HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(await app.SendAsync(HttpMethod.Get, "/openapi/leads/v1.json", probe), HttpStatusCode.Unauthorized);
        Assert.Empty(app.Backends["leads"].Received(probe));

        // "/docs" redirects to "/docs/" (the page's assets are relative), and HttpClient drops the token on a redirect.
        var token = Tokens.ForTenant(Tenant);
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Get, "/docs/", NewProbe(), token)).StatusCode);
        var document = await app.SendAsync(HttpMethod.Get, "/openapi/leads/v1.json", NewProbe(), token);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(LeadsDocument, await document.Content.ReadAsStringAsync());
    }

    static string NewProbe() => Guid.NewGuid().ToString("N");

    [GeneratedRegex("""(src|href)\s*=\s*["']https?://""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex("""<script[^>]*\bsrc\s*=\s*["'](?<src>[^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}

using System.Collections.Concurrent;
using System.Text.Json;
using GrowthOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.BuildingBlocks.Tests.Fuzzing;

/// <summary>
/// A small service with one planted defect per property the fuzzer checks, and the OpenAPI document that describes it:
/// a NUL in a name is a 500, an item is read and deleted in any tenant, a bad
/// limit is answered in plain text, a malformed body is stored before it is refused, and a 500 leaves the next few requests
/// broken (as a desynchronised pooled connection would).
/// Its items live in memory: the state is this service's own, not a database's.
/// </summary>
public sealed class DefectiveService : IAsyncDisposable
{
    readonly WebApplication app;
    readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, string>> items = new();
    int poisoned;

    DefectiveService(WebApplication app) => this.app = app;

    public Uri Address => new(app.Urls.First());

    /// <summary>A tenant's items, as the fuzzer's fingerprint of its state.</summary>
    public Task<string> Fingerprint(Guid tenant) =>
        Task.FromResult(string.Join('\n', (items.TryGetValue(tenant, out var mine) ? mine : new()).OrderBy(i => i.Key).Select(i => $"{i.Key}={i.Value}")));

    public static async Task<DefectiveService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var service = new DefectiveService(app);
        service.Map();
        await app.StartAsync();
        return service;
    }

    void Map()
    {
        app.Use(async (context, next) =>
        {
            if (Interlocked.Decrement(ref poisoned) >= 0)
            {
                await Problem(context, 500, "The connection the last failure left behind");
                return;
            }

            if (context.Request.Path.StartsWithSegments("/openapi"))
            {
                await next(context);
                return;
            }

            if (await TenantAsync(context) is not { } tenant)
            {
                await Problem(context, 401, "Unauthorized");
                return;
            }

            context.Items["tenant"] = tenant;
            await next(context);
        });

        app.MapGet("/openapi/v1.json", () => Results.Text(Document, "application/json"));
        app.MapGet("/items", (HttpContext context, string? limit) => limit is null or "1"
            ? Results.Json(Mine(context).Select(i => new { id = i.Key, name = i.Value }))
            : Results.Text("bad limit", "text/plain", statusCode: 400));
        app.MapPost("/items", async (HttpContext context) =>
        {
            JsonElement body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            }
            catch (JsonException)
            {
                Mine(context)[Guid.NewGuid()] = "(malformed)";
                return Results.Problem(statusCode: 400, title: "Malformed JSON");
            }

            var name = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
            if (name.Contains('\0', StringComparison.Ordinal))
            {
                Interlocked.Exchange(ref poisoned, 5);
                throw new InvalidOperationException("22021: invalid byte sequence");
            }

            var id = Guid.NewGuid();
            Mine(context)[id] = name;
            return Results.Json(new { id, name }, statusCode: 201);
        });
        app.MapGet("/items/{id}", (Guid id) => Find(id) is { } found
            ? Results.Json(new { id, name = found.Items[id], tenant_id = found.Tenant })
            : Results.Problem(statusCode: 404, title: "Not found"));
        app.MapDelete("/items/{id}", (Guid id) => Find(id) is { } found && found.Items.TryRemove(id, out _)
            ? Results.NoContent()
            : Results.Problem(statusCode: 404, title: "Not found"));
    }

    ConcurrentDictionary<Guid, string> Mine(HttpContext context) => items.GetOrAdd((Guid)context.Items["tenant"]!, _ => new());

    (Guid Tenant, ConcurrentDictionary<Guid, string> Items)? Find(Guid id) =>
        items.Where(t => t.Value.ContainsKey(id)).Select(t => ((Guid, ConcurrentDictionary<Guid, string>)?)(t.Key, t.Value)).FirstOrDefault();

    static async Task<Guid?> TenantAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return null;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(header["Bearer ".Length..], new TokenValidationParameters
        {
            ValidIssuer = "growthops-dev", ValidAudience = "growthops",
            IssuerSigningKey = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestEnvironment.SigningKey)),
        });
        return result.IsValid && result.Claims.TryGetValue("tenant_id", out var claim) && Guid.TryParse(claim?.ToString(), out var tenant) ? tenant : null;
    }

    static Task Problem(HttpContext context, int status, string title) =>
        Results.Problem(statusCode: status, title: title).ExecuteAsync(context);

    const string Document = """
        {
          "openapi": "3.1.1",
          "paths": {
            "/items": {
              "get": {
                "parameters": [ { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1 } } ],
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "type": "array" } } } } },
                "security": [ { "Bearer": [] } ]
              },
              "post": {
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Item" } } }, "required": true },
                "responses": { "201": { "description": "Created", "content": { "application/json": { "schema": { "type": "object" } } } } },
                "security": [ { "Bearer": [] } ]
              }
            },
            "/items/{id}": {
              "get": {
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } } },
                "security": [ { "Bearer": [] } ]
              },
              "delete": {
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                "responses": { "204": { "description": "No Content" } },
                "security": [ { "Bearer": [] } ]
              }
            }
          },
          "components": {
            "schemas": { "Item": { "type": "object", "required": [ "name" ], "properties": { "name": { "type": "string" } } } }
          }
        }
        """;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

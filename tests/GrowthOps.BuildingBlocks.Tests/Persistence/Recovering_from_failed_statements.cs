using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.BuildingBlocks.Tests.Persistence;

/// <summary>
/// One caller's statement failing inside PostgreSQL must not break the next caller that gets the same pooled connection.
/// The trap: Npgsql auto-prepares a statement on its fifth use; when that use fails while binding its parameters (a NUL in a
/// text value, an invalid jsonb escape), Npgsql's bookkeeping marks the statement prepared but never learns its row
/// description, and every later execution of the same SQL on that connection fails with "Received unexpected backend
/// message DataRow" — other tenants' valid requests included.
/// </summary>
public sealed class Recovering_from_failed_statements() : TestHostTests("failed-statements")
{
    // Returns rows, takes a text parameter: a NUL in it fails at Bind, after Parse has already created the statement.
    const string Query = "select id, amount, @note::text as note from testhost.orders order by created limit 5";

    sealed record Row(Guid Id, decimal Amount, string Note);

    async Task<List<Row>> RunQuery(Guid tenant, string note)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenant);
        try
        {
            var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(Query, new { note }))).ToList();
            await unitOfWork.CommitAsync();
            return rows;
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    [Fact]
    public async Task Valid_statements_keep_working_while_others_fail_on_the_same_pooled_connections()
    {
        var tenant = Guid.NewGuid();
        var placed = await App.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount = 7m });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        var random = new Random(20261202);
        var plan = Enumerable.Range(0, 400).Select(_ => random.Next(3) == 0).ToArray(); // a third of the calls fail
        var next = -1;
        var refused = 0;
        var broken = new ConcurrentBag<string>();

        // Four callers in flight, as in the report: failing and valid calls interleave on the pool's connections.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < plan.Length)
            {
                if (plan[i])
                {
                    var error = await Assert.ThrowsAsync<PostgresException>(() => RunQuery(tenant, $"bad\0note {i}"));
                    Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, error.SqlState);
                    Interlocked.Increment(ref refused);
                    continue;
                }

                try
                {
                    var rows = await RunQuery(tenant, $"note {i}");
                    if (rows is not [{ Amount: 7m } row] || row.Note != $"note {i}")
                        broken.Add($"call {i}: unexpected rows {string.Join(", ", rows)}");
                }
                catch (Exception e)
                {
                    broken.Add($"call {i}: {e.GetType().Name}: {e.Message}");
                }
            }
        })));

        Assert.True(refused > 100, $"only {refused} failing calls ran");
        Assert.Empty(broken);
    }

    [Fact]
    public async Task A_statement_that_failed_inside_a_savepoint_runs_again_in_the_same_transaction()
    {
        var tenant = Guid.NewGuid();
        var placed = await App.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount = 3m });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        await using var scope = App.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenant);
        // Enough uses that the failing one is the one that auto-prepares the statement.
        for (var i = 0; i < 4; i++)
            Assert.Single(await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(Query, new { note = "warm" })));

        await unitOfWork.SavepointAsync("attempt");
        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(Query, new { note = "bad\0" })));
        await unitOfWork.RollbackToSavepointAsync("attempt", error);

        var again = Assert.Single(await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(Query, new { note = "after" })));
        Assert.Equal("after", again.Note);
        await unitOfWork.CommitAsync();
    }
}

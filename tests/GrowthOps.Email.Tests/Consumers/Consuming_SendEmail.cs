using GrowthOps.Contracts.Email;

namespace GrowthOps.Email.Tests.Consumers;

/// <summary>The SendEmail command from workflows and sequences.</summary>
public sealed class Consuming_SendEmail(HeldEmailApp app) : IClassFixture<HeldEmailApp>
{
    static SendEmail Command(Guid tenant, string key, Guid? contactId = null, string? to = null, bool dryRun = false, Guid? correlationId = null) =>
        new(tenant, key, contactId, to, null, "Welcome {{first_name}}", "<p>Hi {{first_name}}</p>", null, null, "transactional", dryRun,
            "workflow:w1:run:r1", correlationId, DateTimeOffset.UtcNow);

    /// <summary>Waits until the key's email row exists (the consumer committed).</summary>
    Task Queued(Guid tenant, string key) => Eventually.Until(() => app.JobsWithKey(tenant, key), n => n == 1, TimeSpan.FromSeconds(30),
        $"the email of {key} is recorded");

    [Fact]
    public async Task Duplicate_commands_queue_one_email()
    {
        var tenant = Guid.NewGuid();
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var key = TransactionalCalls.Key();

        // Three messages (three MessageIds: the inbox alone would let them all through) with one idempotency key, at once.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.Bus.Bus.Publish(Command(tenant, key, contact.Id))));
        await Queued(tenant, key);
        // A later command through the same queue: by the time it is in, the three before it have been taken (any still running
        // waits on the key's unique index and then adds nothing).
        var later = TransactionalCalls.Key();
        await app.Bus.Bus.Publish(Command(tenant, later, contact.Id));
        await Queued(tenant, later);

        Assert.Equal(1, await app.JobsWithKey(tenant, key));
        Assert.Equal(contact.Email, await app.Database.ScalarAsync<string>(
            "select to_email from email.email_jobs where tenant_id = $1 and idempotency_key = $2", tenant, key));
        Assert.Equal("workflow:w1:run:r1", await app.Database.ScalarAsync<string>(
            "select requested_by from email.email_jobs where idempotency_key = $1", key));
        Assert.DoesNotContain(app.Bus.Received<EmailFailed>(), f => f.IdempotencyKey == key);
    }

    [Fact]
    public async Task A_command_for_an_unknown_contact_fails_once_with_no_address_and_is_no_poison_message()
    {
        var tenant = Guid.NewGuid();
        var key = TransactionalCalls.Key();
        var correlation = Guid.NewGuid();

        await app.Bus.Bus.Publish(Command(tenant, key, Guid.NewGuid(), correlationId: correlation));
        var failed = await app.Bus.WaitFor<EmailFailed>(f => f.IdempotencyKey == key, TimeSpan.FromSeconds(30));
        Assert.Equal("no_address", failed.Reason);
        Assert.Equal(correlation, failed.CorrelationId);
        Assert.Equal("failed", await app.Database.ScalarAsync<string>("select status from email.email_jobs where idempotency_key = $1", key));

        // The same command again is recognised by its key: no second failure.
        await app.Bus.Bus.Publish(Command(tenant, key, Guid.NewGuid(), correlationId: correlation));
        var later = TransactionalCalls.Key();
        await app.Bus.Bus.Publish(Command(tenant, later, Guid.NewGuid()));
        await app.Bus.WaitFor<EmailFailed>(f => f.IdempotencyKey == later, TimeSpan.FromSeconds(30));
        Assert.Single(app.Bus.Received<EmailFailed>(), f => f.IdempotencyKey == key);
        Assert.Equal(1, await app.JobsWithKey(tenant, key));
    }

    [Fact]
    public async Task A_malformed_command_fails_as_rejected()
    {
        var tenant = Guid.NewGuid();
        var key = TransactionalCalls.Key();
        await app.Bus.Bus.Publish(Command(tenant, key, to: "someone@example.test") with { Category = "newsletter" });

        var failed = await app.Bus.WaitFor<EmailFailed>(f => f.IdempotencyKey == key, TimeSpan.FromSeconds(30));
        Assert.Equal("rejected", failed.Reason);
        Assert.Contains("category", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_command_is_queued_as_a_dry_run_to_the_address()
    {
        var tenant = Guid.NewGuid();
        var key = TransactionalCalls.Key();
        var to = MailCatcher.Address();
        await app.Bus.Bus.Publish(Command(tenant, key, to: to, dryRun: true));
        await Queued(tenant, key);

        Assert.True(await app.Database.ScalarAsync<bool>("select dry_run from email.email_jobs where idempotency_key = $1", key));
        Assert.Equal("queued", await app.Database.ScalarAsync<string>("select status from email.email_jobs where idempotency_key = $1", key));
        Assert.Equal(to, await app.Database.ScalarAsync<string>("select to_email from email.email_jobs where idempotency_key = $1", key));
    }
}

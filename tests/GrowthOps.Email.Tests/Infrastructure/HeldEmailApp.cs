namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>The Email service with its sending workers off: emails stay as they were queued, for tests of what is queued.</summary>
public sealed class HeldEmailApp : EmailApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Email:Sending:Enabled"] = "false" };
}

using GrowthOps.Email.Integrations.Smtp;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Sending;

/// <summary>Every tenant sends through the platform's SMTP server (<see cref="SmtpOptions"/>) unless a resolver with tenant settings replaces this one.</summary>
public sealed class PlatformProviderResolver(SmtpProviderFactory smtp, IOptions<SmtpOptions> options) : IEmailProviderResolver
{
    public ValueTask<IEmailProvider> ResolveAsync(Guid tenantId, CancellationToken ct)
    {
        var o = options.Value;
        return ValueTask.FromResult(smtp.For(new SmtpServer(o.Host, o.Port, o.Username, o.Password, o.UseTls, o.PoolSize, o.Timeout)));
    }
}

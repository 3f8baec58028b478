using GrowthOps.Email.Domain.Sending;

namespace GrowthOps.Email.Integrations;

/// <summary>Builds the SMTP provider for a relay; implemented beside the SMTP provider (<c>Integrations/Smtp</c>).</summary>
public interface ISmtpProviderFactory
{
    IEmailProvider For(SmtpSettings settings);
}

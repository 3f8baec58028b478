namespace GrowthOps.Email.Integrations;

/// <summary>An SMTP relay to send through: a tenant's own (password decrypted) or the platform's (<c>Email:Smtp</c>).</summary>
public sealed record SmtpSettings(string Host, int Port, string? Username, string? Password, bool UseTls);

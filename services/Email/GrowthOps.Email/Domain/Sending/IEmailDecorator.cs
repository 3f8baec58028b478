namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// A step every outgoing email passes through after rendering, in registration order: the unsubscribe link and RFC 8058
/// headers for marketing mail, link and open tracking. Pure and fast: it runs for every email of a broadcast.
/// </summary>
public interface IEmailDecorator
{
    void Decorate(OutgoingEmail email);
}

namespace GrowthOps.Leads.Domain;

public static class TransitionSources
{
    public const string User = "user";
    public const string Automation = "automation";
    public const string Webhook = "webhook";
    public const string System = "system";

    public static readonly string[] All = [User, Automation, Webhook, System];
}

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>The Email service whose campaign scheduler looks for due work every 100 ms and checks sending campaigns for completion every 200 ms.</summary>
public class CampaignsApp : EmailApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Campaigns:PollInterval"] = "00:00:00.100",
        ["Email:Campaigns:CompletionCheckInterval"] = "00:00:00.200",
        // The tests play the pipeline (they move emails to sent, failed…) and fan out tens of thousands: nothing is really sent.
        ["Email:Sending:Enabled"] = "false",
    };
}

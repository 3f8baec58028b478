namespace GrowthOps.Leads.Data;

public sealed record TenantStatsRow(long Contacts, long Leads, long Customers, long Won, long Lost, long Transitions30d, long TransitionsTotal,
    long Predictions, long PredictionsResolved, long PredictionsCorrect, long AutomationExecutions, long AutomationsSucceeded,
    long AutomationsFailed, long AutomationsSkipped);

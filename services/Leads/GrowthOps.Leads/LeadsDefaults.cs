namespace GrowthOps.Leads;

/// <summary>Fixed defaults and limits of the Leads service, each named once (the configurable ones are in <see cref="LeadsOptions"/>).</summary>
public static class LeadsDefaults
{
    /// <summary>
    /// How long without activity makes a lead dormant, for a tenant that has not set its own. The column default of
    /// <c>leads.tenants.dormancy_period</c> (<c>Data/Migrations/0001_directory.sql</c>) is the same 30 days; an applied migration is
    /// not edited, so change both together.
    /// </summary>
    public static readonly TimeSpan DormancyPeriod = TimeSpan.FromDays(30);

    /// <summary>Largest body of <c>POST /api/leads/activities/batch</c> (importers send up to <see cref="LeadsOptions.MaxActivityBatch"/> activities).</summary>
    public const long BatchBodyLimit = 16 * 1024 * 1024;

    /// <summary>
    /// The earliest <c>occurred_at</c> of an activity: before it a date is a client's mistake (an unset <c>0001-01-01</c>, seconds
    /// read as milliseconds), and it would move <c>last_interaction_at</c> and the dormancy clock to nonsense.
    /// </summary>
    public static readonly DateTimeOffset EarliestActivity = DateTimeOffset.UnixEpoch;

    /// <summary>How far in the future an activity's <c>occurred_at</c> may be: clock skew between the sender and here, not scheduling.</summary>
    public static readonly TimeSpan ActivityClockSkew = TimeSpan.FromDays(1);

    /// <summary>
    /// Largest body of every other route (413 above), far above the largest valid request: an automation with every action and
    /// condition at its limits is under half of it.
    /// </summary>
    public const long BodyLimit = 1024 * 1024;

    /// <summary>Most contacts in one bulk transition.</summary>
    public const int MaxBulkTransition = 1000;

    // Limits of request fields, in characters unless said otherwise. The request records carry them as attributes, which
    // both RequestLimits (the check, 400 naming the field) and the OpenAPI document read; README lists them.

    /// <summary>A contact's names, phone, company, source, channel and owner id.</summary>
    public const int MaxText = 500;

    /// <summary>A value from a fixed list (kind, trigger, operator, action type, method, source…): longer cannot be one of them.</summary>
    public const int MaxKeyword = 50;

    public const int MaxTimezone = 64;

    /// <summary>Tags of one contact: in one request and in all.</summary>
    public const int MaxTags = 100;

    public const int MaxTagLength = 64;

    /// <summary>Custom attributes of one contact: members, in one request and in all.</summary>
    public const int MaxAttributes = 100;

    /// <summary>The longest member name in free-form JSON (attributes: conditions address them as <c>attributes.&lt;name&gt;</c>).</summary>
    public const int MaxMemberName = 100;

    /// <summary>Custom attributes of one contact as JSON, in UTF-8 bytes: in one request and in all.</summary>
    public const int MaxAttributesBytes = 16 * 1024;

    /// <summary>How deep free-form JSON (attributes, metadata, workflow variables) may nest.</summary>
    public const int MaxJsonDepth = 5;

    public const int MaxActivityType = 100;

    /// <summary>An activity's metadata: members and UTF-8 bytes (a batch of the most activities fits its body limit).</summary>
    public const int MaxMetadataProperties = 100;

    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>A lead state's name (lower-case letters, digits and _).</summary>
    public const int MaxStateName = 50;

    /// <summary>A state named by name or id, or <c>any</c>.</summary>
    public const int MaxStateReference = 100;

    public const int MaxColor = 30;

    public const int MaxPosition = 1000;

    public const int MaxDescription = 1000;

    public const int MaxTransitionName = 200;

    /// <summary>Notes of a transition (and of an automation's change_state).</summary>
    public const int MaxNotes = 2000;

    public const int MaxTriggeredBy = 200;

    public const int MaxAutomationName = 200;

    public const int MaxUrl = 2000;

    public const int MaxWebhookSecret = 500;

    /// <summary>Variables a start_workflow action passes: members and UTF-8 bytes.</summary>
    public const int MaxVariables = 50;

    public const int MaxVariablesBytes = 8 * 1024;

    /// <summary>A condition's value: the items of an in/not_in list, the length of a string, its size in UTF-8 bytes.</summary>
    public const int MaxConditionValues = 100;

    public const int MaxConditionValueLength = 500;

    public const int MaxConditionValueBytes = 4 * 1024;

    /// <summary>Lead states of one tenant, its eight defaults included.</summary>
    public const int MaxStates = 50;

    /// <summary>Automations of one tenant: each is matched against every state change.</summary>
    public const int MaxAutomations = 100;
}

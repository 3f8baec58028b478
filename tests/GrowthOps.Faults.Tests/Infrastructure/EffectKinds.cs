namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>The <c>kind</c> of an effect row.</summary>
public static class EffectKinds
{
    public const string Update = "update";
    public const string Transition = "transition";
    public const string SystemTransition = "system-transition";
    public const string WentDormant = "went-dormant";
    public const string Activity = "activity";
}

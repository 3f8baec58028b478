using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Segments.Tests.Domain.ReadModel;

/// <summary>
/// FsCheck generators for <see cref="LeadsHistory"/>: each contact is created, then changed step by step as Leads changes
/// it (fields, tags, lead state, activities — with or without a version of their own — some dated before earlier ones),
/// and sometimes deleted; every snapshot has the next version, <c>last_interaction_at</c> only moves forward. The delivery
/// is a random permutation of the messages with random ones repeated.
/// </summary>
public static class LeadsHistories
{
    static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    static readonly string[] Names = ["Ada", "Grace", "Linus", "Barbara"];
    static readonly string[] Tags = ["vip", "trial", "churn-risk", "newsletter"];
    static readonly string[] States = ["new", "contacted", "qualified", "won", "lost"];
    static readonly string[] ActivityTypes = ["email.opened", "checkout.completed", "page.viewed"];
    static readonly string[] Products = ["P2P", "Pro", "Basic"];

    public enum StepKind { Update, AddTag, RemoveTag, ChangeState, Activity, ActivityWithUpdate }

    public sealed record Step(StepKind Kind, int Pick, int Minutes);

    public sealed record ContactPlan(IReadOnlyList<Step> Steps, bool Deleted);

    static readonly Gen<Step> Steps =
        from kind in Gen.Elements(Enum.GetValues<StepKind>())
        from pick in Gen.Choose(0, 1000)
        from minutes in Gen.Choose(1, 600)
        select new Step(kind, pick, minutes);

    static readonly Gen<ContactPlan> Plans =
        from steps in Steps.ListOf().Resize(8)
        from deleted in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        select new ContactPlan(steps.ToList(), deleted);

    public static Arbitrary<LeadsHistory> History() => Arb.From(
        from plans in Plans.NonEmptyListOf().Resize(4)
        from ids in Gen.Fresh(Guid.CreateVersion7).ArrayOf(plans.Count)
        let published = plans.SelectMany((plan, i) => Publish(ids[i], i, plan)).ToList()
        from repeats in Gen.Choose(0, published.Count - 1).ListOf().Resize(published.Count / 2 + 1)
        from keys in Gen.Choose(0, 1_000_000).ArrayOf(published.Count + repeats.Count)
        let delivered = published.Concat(repeats.Select(r => published[r])).Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToList()
        select new LeadsHistory(published, delivered));

    /// <summary>What Leads publishes for one contact following <paramref name="plan"/>.</summary>
    static List<object> Publish(Guid id, int index, ContactPlan plan)
    {
        var tenant = Guid.Empty;
        var at = Start.AddMinutes(index);
        var c = new ContactSnapshot(id, $"contact{index}@example.com", "lead", null, null, null, null, "web", "organic", null, 0, "UTC", false, [],
            "new", new Dictionary<string, JsonElement>(), null, at, at, Version: 1, StateEnteredAt: at);
        var messages = new List<object> { new ContactCreated(tenant, c, at) };
        ContactSnapshot Next(Func<ContactSnapshot, ContactSnapshot> change) => change(c) with { Version = c.Version + 1, UpdatedAt = at };

        foreach (var step in plan.Steps)
        {
            at = at.AddMinutes(step.Minutes);
            var p = step.Pick;
            switch (step.Kind)
            {
                case StepKind.Update:
                    c = Next(s => (p % 5) switch
                    {
                        0 => s with { FirstName = Names[p % Names.Length], Score = p % 120 },
                        1 => s with { MarketingConsent = !s.MarketingConsent },
                        2 => s with { AiScore = p % 3 == 0 ? null : p % 101, EmailVerified = p % 2 == 0 },
                        3 => s with { Attributes = new Dictionary<string, JsonElement> { ["plan"] = JsonSerializer.SerializeToElement(Products[p % 3]), ["seats"] = JsonSerializer.SerializeToElement(p % 40) } },
                        _ => s with { Company = p % 2 == 0 ? null : $"Company {p % 7}", Email = $"contact{index}.{p % 3}@example.com" },
                    });
                    messages.Add(new ContactUpdated(tenant, c, ["first_name"], at));
                    break;
                case StepKind.AddTag:
                    var added = Tags[p % Tags.Length];
                    c = Next(s => s with { Tags = s.Tags.Contains(added) ? s.Tags : [.. s.Tags, added] });
                    messages.Add(new TagAdded(tenant, id, added, c, at));
                    break;
                case StepKind.RemoveTag:
                    var removed = c.Tags.Count > 0 ? c.Tags[p % c.Tags.Count] : Tags[p % Tags.Length];
                    c = Next(s => s with { Tags = s.Tags.Where(t => t != removed).ToList() });
                    messages.Add(new TagRemoved(tenant, id, removed, c, at));
                    break;
                case StepKind.ChangeState:
                    var from = c.LeadState;
                    c = Next(s => s with { LeadState = States[p % States.Length], StateEnteredAt = at });
                    messages.Add(new LeadStateChanged(tenant, id, Guid.NewGuid(), null, from, Guid.NewGuid(), c.LeadState!, c.LeadState is "won" or "lost",
                        null, null, null, "user", null, c, at));
                    break;
                default:
                    // Imported activities may be dated before earlier ones; Leads moves last_interaction_at forward only.
                    var occurred = at.AddMinutes(-(p % 900));
                    var last = c.LastInteractionAt is { } l && l > occurred ? l : occurred;
                    messages.Add(new ActivityRecorded(tenant, Guid.CreateVersion7(), id, c.Email, ActivityTypes[p % ActivityTypes.Length],
                        new Dictionary<string, JsonElement> { ["product"] = JsonSerializer.SerializeToElement(Products[p % 3]) }, occurred));
                    if (step.Kind == StepKind.ActivityWithUpdate)
                    {
                        c = Next(s => s with { LastInteractionAt = last, AiScore = p % 101 });
                        messages.Add(new ContactUpdated(tenant, c, ["ai_score"], at));
                    }
                    else
                        c = c with { LastInteractionAt = last };
                    break;
            }
        }

        if (plan.Deleted)
            messages.Add(new ContactDeleted(tenant, id, c.Email, at.AddMinutes(1)));
        return messages;
    }
}

namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>People's clicks on one link of a campaign: how many emails it was clicked in, and how many times.</summary>
public sealed record LinkClicks(string Url, int UniqueClicks, int TotalClicks);

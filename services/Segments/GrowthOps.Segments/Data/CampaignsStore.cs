using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Campaigns;

namespace GrowthOps.Segments.Data;

/// <summary>Links between the current tenant's segments and campaigns (RLS).</summary>
public sealed class CampaignsStore(UnitOfWork unitOfWork)
{
    const string Columns = "segment_id, campaign_id, campaign_type, role, linked_at, linked_by";

    /// <summary>Links once: the new link, or null when the segment was linked to the campaign already (see <see cref="GetAsync"/>).</summary>
    public Task<SegmentCampaign?> TryLinkAsync(SegmentCampaign link, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<SegmentCampaign?>(unitOfWork.Command($"""
            insert into segments.segment_campaigns (tenant_id, {Columns})
            values (segments.current_tenant(), @SegmentId, @CampaignId, @CampaignType, @Role, @LinkedAt, @LinkedBy)
            on conflict do nothing returning {Columns}
            """, link, ct));

    public Task<SegmentCampaign?> GetAsync(Guid segmentId, Guid campaignId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<SegmentCampaign?>(unitOfWork.Command(
            $"select {Columns} from segments.segment_campaigns where segment_id = @segmentId and campaign_id = @campaignId", new { segmentId, campaignId }, ct));

    public async Task<IReadOnlyList<SegmentCampaign>> OfSegmentAsync(Guid segmentId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<SegmentCampaign>(unitOfWork.Command(
            $"select {Columns} from segments.segment_campaigns where segment_id = @segmentId order by linked_at desc, campaign_id", new { segmentId }, ct))).ToList();

    public async Task<IReadOnlyList<CampaignSegment>> OfCampaignAsync(Guid campaignId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<CampaignSegment>(unitOfWork.Command("""
            select s.id as segment_id, s.name, s.type, s.kind, s.status, s.member_count, l.campaign_type, l.role, l.linked_at, l.linked_by
              from segments.segment_campaigns l join segments.segments s on s.tenant_id = l.tenant_id and s.id = l.segment_id
             where l.campaign_id = @campaignId order by l.linked_at, s.id
            """, new { campaignId }, ct))).ToList();

    public async Task<bool> UnlinkAsync(Guid segmentId, Guid campaignId, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from segments.segment_campaigns where segment_id = @segmentId and campaign_id = @campaignId", new { segmentId, campaignId }, ct)) == 1;
}

using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>Per-tenant settings (<c>leads.tenants</c>), such as how long without activity makes a lead dormant.</summary>
public sealed class SettingsStore(UnitOfWork unitOfWork)
{
    public async Task<TimeSpan> GetDormancyPeriodAsync(CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteScalarAsync<TimeSpan?>(unitOfWork.Command(
            "select dormancy_period from leads.tenants", cancellationToken: ct)) ?? LeadsDefaults.DormancyPeriod;

    public Task SetDormancyPeriodAsync(TimeSpan period, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("update leads.tenants set dormancy_period = @period", new { period }, ct));
}

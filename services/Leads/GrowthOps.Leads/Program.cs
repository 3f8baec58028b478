using GrowthOps.Leads;
using GrowthOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("leads");
builder.AddLeads();

var app = builder.Build();
app.UseServiceDefaults();
app.MapLeadsApi();
app.Run();

using GrowthOps.Segments;
using GrowthOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("segments");
builder.AddSegments();

var app = builder.Build();
app.UseServiceDefaults();
app.MapSegmentsApi();
app.Run();

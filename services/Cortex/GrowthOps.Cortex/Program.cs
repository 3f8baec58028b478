using GrowthOps.Cortex;
using GrowthOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("cortex");
builder.AddCortex();

var app = builder.Build();
app.UseServiceDefaults();
app.MapCortexApi();
app.Run();

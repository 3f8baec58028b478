using GrowthOps.Gateway;
using GrowthOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("gateway");
builder.AddGateway();

var app = builder.Build();

app.UseServiceDefaults();
app.UseGateway();
app.MapGateway();
app.MapApiReference();

app.Run();

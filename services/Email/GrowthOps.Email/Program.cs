using GrowthOps.Email;
using GrowthOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("email");
builder.AddEmail();

var app = builder.Build();
app.UseServiceDefaults();
app.MapEmailApi();
app.Run();

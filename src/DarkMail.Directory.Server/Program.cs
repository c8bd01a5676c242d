// DarkMail Directory server: `dotnet run --project src/DarkMail.Directory.Server -- --urls http://127.0.0.1:8080`.
// Everything is assembled in DirectoryHost (spec/server.md).
using DarkMail.Directory.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddDirectory();
var app = builder.Build();
app.MapDirectory();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;

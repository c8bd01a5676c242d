// DarkMail Directory server: `dotnet run --project src/DarkMail.Directory.Server -- --urls http://127.0.0.1:8080`.
// Everything is assembled in DirectoryHost (spec/server.md). A start refused for its keys
// (missing, exposed, malformed, or not the log's) ends with one line naming the file and the
// fix, and exit code 1.
using DarkMail.Directory.Server;
using DarkMail.Directory.Server.Keys;

var builder = WebApplication.CreateBuilder(args);
builder.AddDirectory();
var app = builder.Build();
app.MapDirectory();
try
{
    app.Run();
}
catch (KeyFileException e)
{
    Console.Error.WriteLine("dmd-server: " + e.Message);
    return 1;
}

return 0;

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;

// A directory on a temporary data folder, through WebApplicationFactory<Program>.
// Checkpoints every 50 ms so ?wait=true answers quickly; logging off to keep runs quiet.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class DirectoryFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly bool ownsFolder;

    private readonly Action<IServiceCollection>? configureServices;

    public DirectoryFactory(string? dataPath = null, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        this.configureServices = configureServices;
        ownsFolder = dataPath is null;
        DataPath = dataPath ?? System.IO.Directory.CreateTempSubdirectory("dmd-server-").FullName;
        settings = new Dictionary<string, string?>
        {
            ["Directory:DataPath"] = DataPath,
            ["Directory:PublicUrl"] = "http://localhost/",
            ["Directory:CheckpointInterval"] = "00:00:00.050",
            ["Directory:MaxWait"] = "00:00:10",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public string DataPath { get; }

    public string AdminToken => File.ReadAllText(Path.Combine(DataPath, "admin.token")).Trim();

    /// <summary>
    /// Replaces the key file <paramref name="file"/> (a <see cref="DirectoryKeys"/> file name) in
    /// <paramref name="dataPath"/> by a fresh key, as an operator who changes that key does.
    /// </summary>
    public static void ReplaceKey(string dataPath, string file)
    {
        var secret = new byte[KeyFile.SecretSize];
        if (file == DirectoryKeys.VrfFile)
        {
            using var vrf = VrfSecretKey.Generate();
            vrf.Export(secret);
        }
        else
        {
            RandomNumberGenerator.Fill(secret);
        }

        KeyFile.WriteSecret(Path.Combine(dataPath, DirectoryKeys.KeysFolder, file), secret);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.ClearProviders());
        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && ownsFolder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                System.IO.Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}

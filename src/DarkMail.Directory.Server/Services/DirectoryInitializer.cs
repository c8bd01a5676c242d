// spec/server.md "Start-up": runs before the server accepts requests. Loads or creates the
// keys, opens the database and the log, writes <DataPath>/dx-record.txt and logs the
// single line an operator needs for DNS. No secret is ever logged.
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed partial class DirectoryInitializer(
    IOptions<DirectoryOptions> options,
    DirectoryKeys keys,
    DirectoryLog log,
    ILogger<DirectoryInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await log.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var record = new DxRecord([keys.PokPublicKey], new Uri(settings.PublicUrl!)).Format();
        KeyFile.WritePublic(Path.Combine(settings.DataPath, "dx-record.txt"), record + "\n");
        LogRecord(logger, settings.Domain, record);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Publish in DNS: _dx.{Domain} TXT \"{Record}\"")]
    private static partial void LogRecord(ILogger logger, string domain, string record);
}

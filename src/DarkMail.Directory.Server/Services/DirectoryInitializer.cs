// spec/server.md "Start-up": runs before the server accepts requests. Loads or creates the
// keys, opens the database and the log, writes <DataPath>/dx-record.txt and logs the
// single line an operator needs for DNS. No secret is ever logged. A PublicUrl on port 0
// (PublicUrl.cs) names the bound port, so then the record is written once the server
// listens (StartedAsync), still before this host's start completes.
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed partial class DirectoryInitializer(
    IOptions<DirectoryOptions> options,
    DirectoryKeys keys,
    DirectoryLog log,
    PublicUrl publicUrl,
    ILogger<DirectoryInitializer> logger) : IHostedLifecycleService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await log.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (!publicUrl.FollowsBoundPort)
        {
            WriteRecord();
        }
    }

    /// <summary>After every hosted service started, Kestrel included: the bound port is known.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (publicUrl.FollowsBoundPort)
        {
            WriteRecord();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void WriteRecord()
    {
        var settings = options.Value;
        var record = new DxRecord([keys.PokPublicKey], publicUrl.Get()).Format();
        KeyFile.WritePublic(Path.Combine(settings.DataPath, "dx-record.txt"), record + "\n");
        LogRecord(logger, settings.Domain, record);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publish in DNS: _dx.{Domain} TXT \"{Record}\"")]
    private static partial void LogRecord(ILogger logger, string domain, string record);
}

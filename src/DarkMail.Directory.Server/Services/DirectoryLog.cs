// spec/server.md "Start-up", "Sequencing": the storage objects of one directory, opened
// once at start (migrations applied, head loaded from the stored tiles, a first
// checkpoint signed when there is none yet) and shared by every request afterwards.
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Storage;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class DirectoryLog(IOptions<DirectoryOptions> options, DirectoryKeys keys, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    private LogHead? head;
    private Sequencer? sequencer;
    private Checkpointer? checkpointer;

    public DirectoryDatabase Database { get; } = DirectoryDatabase.Open(
        options.Value.Database.Selected, options.Value.DataPath, options.Value.Database.ConnectionString, options.Value.DatabaseCacheKiB);

    public TileStore Tiles => field ??= new TileStore(Database);

    public KeyStore Keys => field ??= new KeyStore(Database);

    /// <summary>The read side of key lookups: stored label, VRF proof and latest covered version by address.</summary>
    public AddressIndex Addresses => field ??= new AddressIndex(Database);

    public LogHead Head => head ?? throw NotStarted();

    public Sequencer Sequencer => sequencer ?? throw NotStarted();

    public Checkpointer Checkpointer => checkpointer ?? throw NotStarted();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        head = await LogHead.LoadAsync(Database, Tiles, cancellationToken).ConfigureAwait(false);
        sequencer = new Sequencer(Database, Tiles, head, time, loggers.CreateLogger<Sequencer>());
        var statics = string.IsNullOrEmpty(options.Value.StaticPath) ? null : new StaticTiles(options.Value.StaticPath, Database, Tiles, loggers.CreateLogger<StaticTiles>());
        checkpointer = new Checkpointer(Database, head, keys.LogSigner, keys.LogOrigin, time) { StaticTiles = statics };
        if (statics is not null)
        {
            // spec/server.md "Static tiles": backfill, e.g. StaticPath set on an existing log.
            await statics.WriteFullTilesAsync(head.Tree.Size, cancellationToken).ConfigureAwait(false);
            if (head.Latest is { } latest)
            {
                await statics.WriteCheckpointAsync(latest.NoteBytes, cancellationToken).ConfigureAwait(false);
            }
        }

        await LogConfigurationAsync(cancellationToken).ConfigureAwait(false);

        // A first checkpoint for a new log, one that covers a new configuration entry, and
        // one with claims for a log whose latest checkpoint predates them (spec/server.md "Start-up").
        await checkpointer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// spec/configuration.md §3: the log's first entry is a configuration entry, and a start
    /// with other keys than the latest logged configuration logs the next one, so the keys a
    /// descriptor advertises are always the ones the log committed to.
    /// </summary>
    private async Task LogConfigurationAsync(CancellationToken cancellationToken)
    {
        var latest = head!.Tree.Map.Find(ConfigurationEntry.MapLabel);
        uint number = 1;
        if (latest is not null)
        {
            var stored = await Tiles.GetEntryAsync(latest.LeafIndex, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The configuration entry at index {latest.LeafIndex} is not stored.");
            if (keys.Configuration(0, latest.Version).SameKeys(ConfigurationEntry.Decode(stored)))
            {
                return;
            }

            number = latest.Version + 1;
        }

        var index = await sequencer!.AppendConfigurationAsync(t => keys.Configuration(t, number).Encode(), cancellationToken).ConfigureAwait(false);
        LogConfigured(loggers.CreateLogger<DirectoryLog>(), number, index, null);
    }

    public void Dispose()
    {
        Addresses.Dispose();
        Database.Dispose();
    }

    private static readonly Action<ILogger, uint, long, Exception?> LogConfigured = LoggerMessage.Define<uint, long>(
        LogLevel.Information, new EventId(1, "ConfigurationLogged"), "Logged configuration {Number} at index {Index}");

    private static InvalidOperationException NotStarted() => new("The directory log is not initialised yet.");
}

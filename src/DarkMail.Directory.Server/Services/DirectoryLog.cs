// spec/server.md "Start-up", "Sequencing": the storage objects of one directory, opened
// once at start (migrations applied, head loaded from the stored tiles, a first
// checkpoint signed when there is none yet) and shared by every request afterwards.
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

    public DirectoryDatabase Database { get; } = new(Path.Combine(options.Value.DataPath, "directory.db"));

    public TileStore Tiles => field ??= new TileStore(Database);

    public KeyStore Keys => field ??= new KeyStore(Database);

    public LogHead Head => head ?? throw NotStarted();

    public Sequencer Sequencer => sequencer ?? throw NotStarted();

    public Checkpointer Checkpointer => checkpointer ?? throw NotStarted();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        head = await LogHead.LoadAsync(Database, Tiles, cancellationToken).ConfigureAwait(false);
        sequencer = new Sequencer(Database, Tiles, head, time, loggers.CreateLogger<Sequencer>());
        checkpointer = new Checkpointer(Database, head, keys.LogSigner, keys.LogOrigin, time);
        // A first checkpoint for a new log, and one with claims for a log whose latest
        // checkpoint predates them (spec/server.md "Start-up").
        await checkpointer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => Database.Dispose();

    private static InvalidOperationException NotStarted() => new("The directory log is not initialised yet.");
}

// spec/server.md "Start-up", "Sequencing": the storage objects of one directory, opened
// once at start (migrations applied, head loaded from the stored tiles, a first
// checkpoint signed when there is none yet) and shared by every request afterwards.
// spec/server.md §11 "Replicas": several servers may share one database. The sequencer
// lease (Storage's SequencerLease, with an flock on <DataPath>/sequencer.lock as the process
// lock on SQLite, a session advisory lock on PostgreSQL, whose replicas need not share a
// file system) says which one sequences and signs; the others follow the database (CatchUp). A
// replica that takes the lease over first brings its head to the whole stored tree, then
// logs its configuration and signs, as a first start does.
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
    private StaticTiles? statics;
    private SequencerLease? lease;
    private readonly ILogger logger = loggers.CreateLogger<DirectoryLog>();

    public DirectoryDatabase Database { get; } = DirectoryDatabase.Open(
        options.Value.Database.Selected, options.Value.DataPath, options.Value.Database.ConnectionString, options.Value.DatabaseCacheKiB);

    public TileStore Tiles => field ??= new TileStore(Database);

    public KeyStore Keys => field ??= new KeyStore(Database);

    /// <summary>The read side of key lookups: stored label, VRF proof and latest covered version by address.</summary>
    public AddressIndex Addresses => field ??= new AddressIndex(Database);

    public LogHead Head => head ?? throw NotStarted();

    public Sequencer Sequencer => sequencer ?? throw NotStarted();

    public Checkpointer Checkpointer => checkpointer ?? throw NotStarted();

    /// <summary>The sequencer lease of this replica (spec/server.md §11).</summary>
    public SequencerLease Lease => lease ?? throw NotStarted();

    /// <summary>Whether InitializeAsync has loaded the head and made the lease (probes and metrics ask before they read).</summary>
    public bool IsStarted => checkpointer is not null;

    /// <summary>Whether this replica is the sequencer now.</summary>
    public bool IsSequencer => lease?.IsHeld == true;

    /// <summary>The process lock's file in the data folder on SQLite (spec/server.md §11.2).</summary>
    public const string LockFileName = "sequencer.lock";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        head = await LogHead.LoadAsync(Database, Tiles, cancellationToken).ConfigureAwait(false);
        lease = new SequencerLease(Database, SequencerLease.NewReplicaId(), settings.SequencerLeaseTimeout, time,
            settings.Database.Selected == DatabaseProvider.PostgreSQL
                ? new PostgresProcessLock(settings.Database.ConnectionString!)
                : new FileProcessLock(Path.Combine(settings.DataPath, LockFileName)),
            loggers.CreateLogger<SequencerLease>());
        sequencer = new Sequencer(Database, Tiles, head, time, loggers.CreateLogger<Sequencer>(), lease);
        statics = string.IsNullOrEmpty(settings.StaticPath) ? null : new StaticTiles(settings.StaticPath, Database, Tiles, loggers.CreateLogger<StaticTiles>());
        checkpointer = new Checkpointer(Database, head, keys.LogSigner, keys.LogOrigin, time, lease) { StaticTiles = statics };
        await TryLeadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes the sequencer lease when it is free (spec/server.md §11) and then does what a
    /// sequencer does first: the head moves to the whole stored tree, the configuration is
    /// logged when it changed, and a checkpoint is signed when the tree outgrew the latest one.
    /// True when this replica is the sequencer afterwards (also when it already was).
    /// </summary>
    public async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        if (IsSequencer)
        {
            return true;
        }

        if (!await Lease.TryAcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await Database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Head.CatchUp(Database, Tiles, wholeTree: true);
            }
            finally
            {
                Database.WriteGate.Release();
            }

            if (statics is not null)
            {
                // spec/server.md "Static tiles": only the sequencer backfills (e.g. StaticPath set
                // on an existing log), so a follower never writes an older checkpoint file.
                await statics.WriteFullTilesAsync(Head.Tree.Size, cancellationToken).ConfigureAwait(false);
                if (Head.Latest is { } latest)
                {
                    await statics.WriteCheckpointAsync(latest.NoteBytes, cancellationToken).ConfigureAwait(false);
                }
            }

            await LogConfigurationAsync(cancellationToken).ConfigureAwait(false);

            // A first checkpoint for a new log, one that covers a new configuration entry, and
            // one with claims for a log whose latest checkpoint predates them (spec/server.md "Start-up").
            await Checkpointer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not SequencerFencedException)
        {
            // A replica that cannot start sequencing lets the lease go to the next one.
            Lease.Release();
            throw;
        }
    }

    /// <summary>
    /// A follower's step (spec/server.md §11 "Followers"): moves the head to the newest stored
    /// checkpoint. False when nothing moved, and when the stored log disagrees with this
    /// replica's (logged; the older checkpoint stays served).
    /// </summary>
    public bool CatchUp()
    {
        Database.WriteGate.Wait();
        try
        {
            return Head.CatchUp(Database, Tiles);
        }
        catch (InvalidOperationException e)
        {
            LogCatchUpFailed(logger, e);
            return false;
        }
        finally
        {
            Database.WriteGate.Release();
        }
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
        LogConfigured(logger, number, index, null);
    }

    public void Dispose()
    {
        lease?.Dispose();
        Addresses.Dispose();
        Database.Dispose();
    }

    private static readonly Action<ILogger, uint, long, Exception?> LogConfigured = LoggerMessage.Define<uint, long>(
        LogLevel.Information, new EventId(1, "ConfigurationLogged"), "Logged configuration {Number} at index {Index}");

    private static readonly Action<ILogger, Exception?> LogCatchUpFailed = LoggerMessage.Define(
        LogLevel.Error, new EventId(2, "CatchUpFailed"), "The stored log does not extend this replica's; its newest checkpoint is not served");

    private static InvalidOperationException NotStarted() => new("The directory log is not initialised yet.");
}

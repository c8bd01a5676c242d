// spec/server.md "Sequencing", "Checkpoints", "Heartbeat": the one background loop that
// integrates pending submissions batch by batch and signs a checkpoint when the tree grew,
// at most once per CheckpointInterval (so a lone submission is covered within one interval,
// and a stream of them gets one checkpoint per interval, not one per batch), and at least
// once per CheckpointHeartbeat even when nothing was logged, so the newest checkpoint's
// time tells clients that the log is alive. Integration waits for the checkpoint to be due:
// what it integrates earlier could not be served earlier anyway, and one pass over the
// whole queue costs one flush per SequencerBatchSize rows instead of one per small batch.
// spec/server.md §11 "Replicas": only the replica holding the sequencer lease does this; it
// renews the lease every third of SequencerLeaseTimeout (its fenced writes renew it too) and
// steps down when a write or a renewal finds the token taken over. A follower, every
// ReplicaPollInterval, tries the lease and otherwise moves its head to the newest stored
// checkpoint. The sequencer reads the queue at least once per CheckpointInterval, so rows
// other replicas stored (which cannot signal this process) are logged as promptly as its own.
using DarkMail.Directory.Server.Options;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed partial class LogWorker(
    DirectoryLog log,
    SequencerSignal signal,
    IOptions<DirectoryOptions> options,
    TimeProvider time,
    ILogger<LogWorker> logger,
    DirectoryMetrics? metrics = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var renewEvery = settings.SequencerLeaseTimeout / 3;
        var renewAt = time.GetUtcNow() + renewEvery;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!log.IsSequencer)
                {
                    if (await log.TryLeadAsync(stoppingToken).ConfigureAwait(false))
                    {
                        renewAt = time.GetUtcNow() + renewEvery;
                        continue;
                    }

                    log.CatchUp();
                    await Task.Delay(settings.ReplicaPollInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var now = time.GetUtcNow();
                if (now >= renewAt)
                {
                    if (!await log.Lease.RenewAsync(stoppingToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    renewAt = now + renewEvery;
                }

                var head = log.Head;
                var due = (head.Latest?.SignedAt ?? DateTimeOffset.MinValue) + settings.CheckpointInterval;
                if (now < due)
                {
                    // Nothing can be checkpointed before `due`: the rows accepted meanwhile are
                    // integrated then, together, in full batches (one flush and one rewrite of
                    // the partial tiles and bundle per batch, not per handful of rows).
                    await signal.WaitAsync(Min(due - now, renewAt - now), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var integrated = await log.Sequencer.IntegrateAsync(settings.SequencerBatchSize, stoppingToken).ConfigureAwait(false);
                if (integrated > 0)
                {
                    metrics?.Integrated(integrated);
                }

                if (integrated == settings.SequencerBatchSize)
                {
                    // More may be pending: the checkpoint covers the whole queue.
                    continue;
                }

                head = log.Head;
                if (head.Tree.Size > (head.Latest?.Size ?? -1))
                {
                    var checkpoint = await log.Checkpointer.CheckpointAsync(stoppingToken).ConfigureAwait(false);
                    if (checkpoint is not null)
                    {
                        LogCheckpoint(logger, checkpoint.Size);
                    }

                    continue;
                }

                var beat = (head.Latest?.SignedAt ?? DateTimeOffset.MinValue) + settings.CheckpointHeartbeat;
                now = time.GetUtcNow();
                if (now >= beat)
                {
                    var checkpoint = await log.Checkpointer.HeartbeatAsync(stoppingToken).ConfigureAwait(false);
                    if (checkpoint is not null)
                    {
                        LogHeartbeat(logger, checkpoint.Size);
                    }

                    continue;
                }

                // Still poll once per interval: rows written by another process are logged too.
                var wait = Min(Min(beat - now, settings.CheckpointInterval), renewAt - now);
                await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Storage.SequencerFencedException)
            {
                // Another replica took the lease over; the lease logged it, and this one follows now.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogFailure(logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed checkpoint of size {Size}")]
    private static partial void LogCheckpoint(ILogger logger, long size);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed heartbeat checkpoint of size {Size}")]
    private static partial void LogHeartbeat(ILogger logger, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sequencing failed; retrying in one second")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}

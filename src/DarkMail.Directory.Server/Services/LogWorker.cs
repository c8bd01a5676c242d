// spec/server.md "Sequencing", "Checkpoints", "Heartbeat": the one background loop that
// integrates pending submissions batch by batch and signs a checkpoint when the tree grew,
// at most once per CheckpointInterval (so a lone submission is covered within one interval,
// and a stream of them gets one checkpoint per interval, not one per batch), and at least
// once per CheckpointHeartbeat even when nothing was logged, so the newest checkpoint's
// time tells clients that the log is alive.
using DarkMail.Directory.Server.Options;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed partial class LogWorker(
    DirectoryLog log,
    SequencerSignal signal,
    IOptions<DirectoryOptions> options,
    TimeProvider time,
    ILogger<LogWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var integrated = await log.Sequencer.IntegrateAsync(settings.SequencerBatchSize, stoppingToken).ConfigureAwait(false);
                var head = log.Head;
                var wait = settings.CheckpointInterval;
                if (head.Tree.Size > (head.Latest?.Size ?? -1))
                {
                    var due = (head.Latest?.SignedAt ?? DateTimeOffset.MinValue) + settings.CheckpointInterval;
                    var now = time.GetUtcNow();
                    if (now >= due)
                    {
                        var checkpoint = await log.Checkpointer.CheckpointAsync(stoppingToken).ConfigureAwait(false);
                        if (checkpoint is not null)
                        {
                            LogCheckpoint(logger, checkpoint.Size);
                        }

                        continue;
                    }

                    wait = due - now;
                }
                else
                {
                    var beat = (head.Latest?.SignedAt ?? DateTimeOffset.MinValue) + settings.CheckpointHeartbeat;
                    var now = time.GetUtcNow();
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
                    wait = beat - now < wait ? beat - now : wait;
                }

                if (integrated == settings.SequencerBatchSize)
                {
                    continue;
                }

                await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed checkpoint of size {Size}")]
    private static partial void LogCheckpoint(ILogger logger, long size);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signed heartbeat checkpoint of size {Size}")]
    private static partial void LogHeartbeat(ILogger logger, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sequencing failed; retrying in one second")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}

// Counts the rows EF Core reads per command, from its DiagnosticSource events
// (DataReaderDisposing carries the command and its read count: every Read() call, so a reader
// read to its end counts its rows plus the one call that found no more), only for commands on
// one database file carrying one query tag, while a Measure scope runs: other tests' servers
// and other queries of the same server (sequencer, checkpoints, codes) are not counted.
// Call WarmUpAsync first: EF Core notices a new listener only after its logging cache expires.
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class RowsRead : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> subscriptions = [];
    private readonly string databasePath;
    private readonly string tag;
    private readonly Stopwatch subscribed = Stopwatch.StartNew();
    private List<int>? current;

    public RowsRead(string databasePath, string tag)
    {
        this.databasePath = Path.GetFullPath(databasePath);
        this.tag = tag;
        subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>Runs <paramref name="action"/>; returns, for each tagged command on the database meanwhile, the rows read.</summary>
    public async Task<IReadOnlyList<int>> MeasureAsync(Func<Task> action)
    {
        var seen = new List<int>();
        Volatile.Write(ref current, seen);
        try
        {
            await action();
        }
        finally
        {
            Volatile.Write(ref current, null);
        }

        lock (seen)
        {
            return [.. seen];
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    /// <summary>
    /// EF Core's logging cache (CoreOptionsExtension.LoggingCacheTime, 1 s): a pooled context
    /// that found nobody listening does not ask again for that long. Waits out two of those
    /// since the subscription, then runs <paramref name="probe"/> until a tagged command is seen,
    /// so later measures miss nothing, whichever pooled context serves them.
    /// </summary>
    public async Task WarmUpAsync(Func<Task> probe)
    {
        while (subscribed.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(50);
        }

        await LoopbackDirectory.EventuallyAsync(async () => (await MeasureAsync(probe)).Count > 0, "EF Core diagnostics to reach the row counter");
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.DataReaderDisposing.Name && value.Value is DataReaderDisposingEventData data && Volatile.Read(ref current) is { } seen
            && data.Command.CommandText.Contains(tag, StringComparison.Ordinal)
            && data.Command.Connection?.DataSource is { } source && Path.GetFullPath(source) == databasePath)
        {
            lock (seen)
            {
                seen.Add(data.ReadCount - 1);
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (subscriptions)
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}

// Wakes the log worker when a submission is stored, so integration starts at once
// instead of at the next tick. Many notifications before one wait count as one.
namespace DarkMail.Directory.Server.Services;

public sealed class SequencerSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            if (semaphore.CurrentCount == 0)
            {
                semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another notifier got there first: one pending wake-up is enough.
        }
    }

    /// <summary>True when notified, false when the timeout passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        semaphore.WaitAsync(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, cancellationToken);

    public void Dispose() => semaphore.Dispose();
}

using DarkMail.Directory.Server.Services;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class SequencerSignalTests
{
    [Fact]
    public async Task WaitAsync_AfterManyNotifications_WakesOnceThenTimesOut()
    {
        using var signal = new SequencerSignal();
        signal.Notify();
        signal.Notify();
        signal.Notify();
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        // Absence observed without waiting: the one pending wake-up is used, so a zero-time wait fails at once.
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task WaitAsync_NotifiedWhileWaiting_Wakes()
    {
        using var signal = new SequencerSignal();
        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        signal.Notify();
        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitAsync_NegativeTimeout_ReturnsAtOnce() =>
        Assert.False(await new SequencerSignal().WaitAsync(TimeSpan.FromSeconds(-1), CancellationToken.None));
}

// A clock a test sets by hand, backwards too (FakeTimeProvider only moves forward): for
// the rules that times written to the log never go back when the clock does.
namespace DarkMail.Directory.Storage.Tests;

public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

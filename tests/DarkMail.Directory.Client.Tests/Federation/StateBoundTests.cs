// StateBound (spec/discovery.md §9.6): at most N addresses and N origins, least recently
// used forgotten, a loaded state counted from the start.
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class StateBoundTests
{
    [Fact]
    public void Touch_MoreOriginsThanCap_LeastRecentlyUsedOriginsCheckpointAndConfigurationForgotten()
    {
        var state = new ClientState();
        var bound = new StateBound(state, 2);
        foreach (var origin in new[] { "a.test/dmd", "b.test/dmd", "a.test/dmd", "c.test/dmd" })
        {
            state.Checkpoints[origin] = new KeptCheckpoint(1, new byte[32], "note");
            state.Configurations[origin] = new KeptConfiguration(1, 0, [1]);
            bound.Touch(origin, null);
        }

        Assert.Equal(["a.test/dmd", "c.test/dmd"], state.Checkpoints.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a.test/dmd", "c.test/dmd"], state.Configurations.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Constructor_LoadedStateOverCap_TrimmedAtOnce()
    {
        var state = new ClientState();
        for (var i = 0; i < 5; i++)
        {
            state.Addresses[$"u{i}@a.test"] = new KeptAddress(1, new byte[32], "a.test/dmd", i);
        }

        _ = new StateBound(state, 3);

        Assert.Equal(3, state.Addresses.Count);
    }
}

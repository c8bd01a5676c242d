using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Tests.Monitor;

public sealed class MonitorStoreTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "dmd-monitor-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_NoFile_EmptyStateOfTheCurrentFormat()
    {
        var state = new MonitorStore(folder).Load();

        Assert.Equal(MonitorState.CurrentFormat, state.Format);
        Assert.Null(state.Checkpoint);
        Assert.Empty(state.Addresses);
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        var store = new MonitorStore(folder);
        var kept = Kept(3, 7);
        store.Save(new MonitorState
        {
            Origin = "example.test/dmd",
            Checkpoint = new KeptCheckpoint(9, new byte[32], "note\n"),
            Addresses = { ["alice@example.test"] = kept },
            FindingsTotal = 2,
        });

        var loaded = store.Load();

        Assert.Equal(("example.test/dmd", 9L, 2L), (loaded.Origin, loaded.Checkpoint!.Size, loaded.FindingsTotal));
        var address = Assert.Single(loaded.Addresses);
        Assert.Equal("alice@example.test", address.Key);
        Assert.Equal((3u, 7L), (address.Value.Version, address.Value.LeafIndex));
        Assert.Equal(kept.Leaf, address.Value.Leaf);
        Assert.Contains("\"leaf_index\": 7", File.ReadAllText(store.StatePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FormatOfTheLogFollowingMonitor_RefusedWithWhatToDo()
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, MonitorStore.FileName), """{ "format": 1, "origin": "example.test/dmd", "confirmed": { "size": 3, "edge": "" }, "checkpoints": [] }""");

        var e = Assert.Throws<ClientStateException>(() => new MonitorStore(folder).Load());

        Assert.Contains("format 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Remove it", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{ "origin": "example.test/dmd", "addresses": {} }""")]
    [InlineData("""{ "format": 3, "origin": "example.test/dmd", "addresses": {} }""")]
    [InlineData("""{ "format": 2, "origin": "", "addresses": {} }""")]
    public void Load_NotAMonitorState_Unreadable(string text)
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, MonitorStore.FileName), text);

        Assert.Throws<ClientStateException>(() => new MonitorStore(folder).Load());
    }

    [Fact]
    public void Load_AddressWhoseLeafDisagreesWithItsVersion_Unreadable()
    {
        var store = new MonitorStore(folder);
        store.Save(new MonitorState { Origin = "example.test/dmd", Addresses = { ["alice@example.test"] = Kept(3, 7) with { Version = 4 } } });

        Assert.Throws<ClientStateException>(() => store.Load());
    }

    private static MonitoredAddress Kept(uint version, long index)
    {
        var label = TestDirectory.RandomBytes(32);
        var key = TestDirectory.RandomBytes(32);
        var leaf = new LogLeaf(LeafEvent.Rotate, 1, label, version, key, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(64)).Encode();
        return new MonitoredAddress(label, version, index, key, leaf);
    }
}

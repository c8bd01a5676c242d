using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Tests.Audit;

public sealed class FollowStoreTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "dmd-follow-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_NoFile_FreshState()
    {
        var state = new FollowStore(folder, "audit").Load();

        Assert.Equal(0, state.Confirmed.Size);
        Assert.Null(state.Progress);
        Assert.Empty(state.Checkpoints);
    }

    [Fact]
    public void Commit_ThenLoad_RoundTripsStateAndSink()
    {
        var store = new FollowStore(folder, "audit");
        var state = new FollowState { Origin = "example.test/dmd", Checkpoints = ["note\n"], FindingsTotal = 3 };
        state.Progress = new FollowPosition { Size = 256, Edge = "AA==", Target = "target\n", Findings = [new AuditFinding("chain.version-gap", "gap") { Index = 7, Leaf = [1, 2] }] };

        store.Commit(state, state.Progress, [9, 8, 7]);
        var loaded = store.Load();

        Assert.Equal("example.test/dmd", loaded.Origin);
        Assert.Equal(3, loaded.FindingsTotal);
        Assert.Equal(["note\n"], loaded.Checkpoints);
        Assert.Equal(256, loaded.Progress!.Size);
        Assert.Equal("target\n", loaded.Progress.Target);
        var finding = Assert.Single(loaded.Progress.Findings!);
        Assert.Equal(("chain.version-gap", 7L), (finding.Code, finding.Index!.Value));
        Assert.Equal([1, 2], finding.Leaf!);
        Assert.Equal([9, 8, 7], store.ReadSink(loaded.Progress));
    }

    [Fact]
    public void Commit_OldSinkNoLongerNamed_Deleted()
    {
        var store = new FollowStore(folder, "monitor");
        var state = new FollowState();
        state.Progress = new FollowPosition { Size = 1 };
        store.Commit(state, state.Progress, [1]);
        var first = state.Progress.SinkFile!;

        state.Confirmed = new FollowPosition { Size = 2 };
        state.Progress = null;
        store.Commit(state, state.Confirmed, [2]);

        Assert.False(File.Exists(Path.Combine(folder, first)));
        Assert.Equal([Path.Combine(folder, state.Confirmed.SinkFile!)], System.IO.Directory.GetFiles(folder, "monitor-*.bin"));
    }

    [Fact]
    public void Load_OtherFormat_Throws()
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "audit.json"), "{\"format\":2}");

        Assert.Throws<ClientStateException>(() => new FollowStore(folder, "audit").Load());
    }

    [Fact]
    public void Load_NotJson_Throws()
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "audit.json"), "not json");

        Assert.Throws<ClientStateException>(() => new FollowStore(folder, "audit").Load());
    }

    [Theory]
    [InlineData("../audit-1.bin")]
    [InlineData("monitor-1.bin")]
    [InlineData("audit-missing.bin")]
    public void ReadSink_OutsideOrMissing_Throws(string file)
    {
        System.IO.Directory.CreateDirectory(folder);

        Assert.Throws<ClientStateException>(() => new FollowStore(folder, "audit").ReadSink(new FollowPosition { SinkFile = file }));
    }
}

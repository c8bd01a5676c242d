using CsCheck;
using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Tests.State;

public sealed class ClientStateTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "dmd-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_AbsentFolder_EmptyState()
    {
        var state = ClientState.Load(folder);

        Assert.Empty(state.Checkpoints);
        Assert.Empty(state.Addresses);
        Assert.Empty(state.Servers);
    }

    [Fact]
    public void SaveLoad_RandomStates_RoundTrip()
    {
        var bytes = Gen.Byte.Array[32];
        var gen = Gen.Select(Gen.Long[0, long.MaxValue], bytes, Gen.UInt[1, uint.MaxValue], bytes, Gen.String[Gen.Char.AlphaNumeric, 1, 20]);
        gen.Sample((size, root, version, key, name) =>
        {
            var state = new ClientState();
            state.Checkpoints[name + ".test/dmd"] = new KeptCheckpoint(size, root, $"{name}.test/dmd\n{size}\nroot\n\n— sig\n");
            state.Addresses[name.ToLowerInvariant() + "@x.test"] = new KeptAddress(version, key, name + ".test/dmd", size);
            state.Servers["https://" + name + ".test/"] = new KeptServer(name + ".test", [key, root]);
            state.Save(folder);

            var back = ClientState.Load(folder);

            var checkpoint = Assert.Single(back.Checkpoints);
            Assert.Equal(size, checkpoint.Value.Size);
            Assert.Equal(root, checkpoint.Value.RootHash);
            Assert.Equal(state.Checkpoints.Single().Value.Note, checkpoint.Value.Note);
            var address = Assert.Single(back.Addresses);
            Assert.Equal(version, address.Value.Version);
            Assert.Equal(key, address.Value.SigningKey);
            var server = Assert.Single(back.Servers);
            Assert.Equal(new[] { key, root }, server.Value.Poks);
        }, iter: 30, threads: 1);
    }

    [Fact]
    public void Save_Twice_ReplacesFileAndLeavesNoTempFiles()
    {
        var state = new ClientState();
        state.Save(folder);
        state.Addresses["a@b.test"] = new KeptAddress(2, new byte[32], "b.test/dmd", 1);
        state.Save(folder);

        Assert.Equal([ClientState.FileName], System.IO.Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(2u, ClientState.Load(folder).Addresses["a@b.test"].Version);
    }

    [Fact]
    public void Save_IsReadableJson()
    {
        var state = new ClientState();
        state.Addresses["a@b.test"] = new KeptAddress(7, new byte[32], "b.test/dmd", 1);
        state.Save(folder);

        var text = File.ReadAllText(Path.Combine(folder, ClientState.FileName));

        Assert.Contains("\"format\": 1", text, StringComparison.Ordinal);
        Assert.Contains("\"a@b.test\"", text, StringComparison.Ordinal);
        Assert.Contains("\"signing_key\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotJson_ThrowsClientStateException()
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ClientState.FileName), "{ not json");

        Assert.Throws<ClientStateException>(() => ClientState.Load(folder));
    }

    [Fact]
    public void Load_OtherFormat_ThrowsClientStateException()
    {
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ClientState.FileName), "{\"format\": 2}");

        var e = Assert.Throws<ClientStateException>(() => ClientState.Load(folder));
        Assert.Contains("format 2", e.Message, StringComparison.Ordinal);
    }
}

using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Tests.Keys;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DirectoryKeysTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-keys-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void LoadOrCreate_EmptyFolder_CreatesOwnerOnlyFiles()
    {
        using var keys = DirectoryKeys.LoadOrCreate(folder, "example.test");
        Assert.True(keys.Created);
        var keyFolder = Path.Combine(folder, "keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keyFolder));
        foreach (var file in new[] { "keys/pok.key", "keys/log.key", "keys/vrf.key", "keys/witness.key", "admin.token" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, file)));
        }

        Assert.Empty(System.IO.Directory.GetFileSystemEntries(folder, ".*"));
        Assert.Equal("example.test/dmd", keys.LogOrigin);
    }

    [Fact]
    public void LoadOrCreate_SecondStart_ReusesEveryKey()
    {
        byte[] pok, vrf;
        string log, witness;
        using (var first = DirectoryKeys.LoadOrCreate(folder, "example.test"))
        {
            (pok, vrf, log, witness) = (first.PokPublicKey, first.Vrf.PublicKey.Export(), first.LogSigner.Verifier.ToVerifierKey(), first.Witness.Verifier.ToVerifierKey());
        }

        var token = File.ReadAllText(Path.Combine(folder, "admin.token"));
        using var second = DirectoryKeys.LoadOrCreate(folder, "example.test");
        Assert.False(second.Created);
        Assert.Equal(pok, second.PokPublicKey);
        Assert.Equal(vrf, second.Vrf.PublicKey.Export());
        Assert.Equal(log, second.LogSigner.Verifier.ToVerifierKey());
        Assert.Equal(witness, second.Witness.Verifier.ToVerifierKey());
        Assert.Equal(token, File.ReadAllText(Path.Combine(folder, "admin.token")));
        Assert.True(second.IsAdminToken(token.Trim()));
        var trimmed = token.Trim();
        Assert.False(second.IsAdminToken(trimmed[..^1] + (trimmed[^1] == 'A' ? "B" : "A")));
        Assert.False(second.IsAdminToken(string.Empty));
    }

    [Theory]
    [InlineData("keys/log.key", UnixFileMode.GroupRead)]
    [InlineData("keys/pok.key", UnixFileMode.OtherRead)]
    [InlineData("admin.token", UnixFileMode.GroupRead)]
    public void LoadOrCreate_SecretReadableByOthers_Refuses(string file, UnixFileMode extra)
    {
        DirectoryKeys.LoadOrCreate(folder, "example.test").Dispose();
        var path = Path.Combine(folder, file);
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | extra);
        var e = Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test"));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_KeyFolderOpenToGroup_Refuses()
    {
        DirectoryKeys.LoadOrCreate(folder, "example.test").Dispose();
        File.SetUnixFileMode(Path.Combine(folder, "keys"), (UnixFileMode)0b111_101_000);
        Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test"));
    }

    [Theory]
    [InlineData("not base64\n")]
    [InlineData("AAAA\n")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nAAAA\n")]
    [InlineData("")]
    public void LoadOrCreate_MalformedKeyFile_Refuses(string content)
    {
        DirectoryKeys.LoadOrCreate(folder, "example.test").Dispose();
        File.WriteAllText(Path.Combine(folder, "keys/witness.key"), content);
        var e = Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test"));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_MissingKeyFile_RefusesRatherThanMintingANewKey()
    {
        DirectoryKeys.LoadOrCreate(folder, "example.test").Dispose();
        File.Delete(Path.Combine(folder, "keys/log.key"));
        var e = Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test"));
        Assert.Contains("log.key", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "keys/log.key")));
    }

    [Fact]
    public void LoadOrCreate_NonCanonicalVrfScalar_Refuses()
    {
        DirectoryKeys.LoadOrCreate(folder, "example.test").Dispose();
        File.WriteAllText(Path.Combine(folder, "keys/vrf.key"), Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 32).ToArray()) + "\n");
        Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test"));
    }

    [Fact]
    public void LoadOrCreate_NewDataFolder_CreatedOwnerOnly()
    {
        var data = Path.Combine(folder, "new-data");

        DirectoryKeys.LoadOrCreate(data, "example.test").Dispose();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
    }

    [Fact]
    public void LoadOrCreate_LogWithCheckpointButNoKeyFolder_RefusesNamingTheLogKeyAndCreatesNothing()
    {
        var note = CheckpointSignedBy(new Ed25519NoteSigner("example.test/dmd", new byte[32]));

        var e = Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test", note));

        Assert.Contains(Path.Combine(folder, "keys", "log.key") + " is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("latest checkpoint size 7, origin example.test/dmd", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(System.IO.Directory.Exists(Path.Combine(folder, "keys")));
    }

    [Fact]
    public void LoadOrCreate_LatestCheckpointByAnotherKeyOrName_RefusesNamingTheMismatch()
    {
        string logKey;
        using (var keys = DirectoryKeys.LoadOrCreate(folder, "example.test"))
        {
            logKey = Path.Combine(folder, "keys", "log.key");
        }

        using var other = new Ed25519NoteSigner("example.test/dmd", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var byOther = Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "example.test", CheckpointSignedBy(other)));
        Assert.StartsWith($"The log key {logKey} (note key example.test/dmd) does not verify the latest stored checkpoint (latest checkpoint size 7", byOther.Message, StringComparison.Ordinal);

        // The right key under another domain (another note key name) does not verify it either.
        using var right = new Ed25519NoteSigner("example.test/dmd", KeyFile.ReadSecret(logKey));
        var note = CheckpointSignedBy(right);
        Assert.Throws<KeyFileException>(() => DirectoryKeys.LoadOrCreate(folder, "other.test", note));
        using var loaded = DirectoryKeys.LoadOrCreate(folder, "example.test", note);
        Assert.False(loaded.Created);
    }

    private static byte[] CheckpointSignedBy(Ed25519NoteSigner signer) =>
        SignedNote.Sign(new Transparency.Checkpoints.Checkpoint("example.test/dmd", 7, new byte[32]).Format(), signer).Format();
}

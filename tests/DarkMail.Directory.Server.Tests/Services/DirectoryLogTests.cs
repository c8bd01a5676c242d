// DirectoryLog's configuration entry (spec/configuration.md §3): a fresh directory logs
// configuration 1 with its keys as entry 0; a restart with the same keys logs nothing; a
// restart after a key file was replaced logs the next configuration with the new keys, and
// the start-up checkpoint covers it.
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class DirectoryLogTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-directory-log-");
    private readonly TestUser alice = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task InitializeAsync_FreshDirectory_Entry0IsConfiguration1WithTheServersKeys()
    {
        using var factory = new DirectoryFactory(temp.Path);
        var (log, keys) = Started(factory);

        var configuration = ConfigurationEntry.Decode((await log.Tiles.GetEntryAsync(0))!);

        Assert.Equal(1u, configuration.Number);
        Assert.Equal(keys.Configuration(configuration.Timestamp, 1), configuration);
        Assert.Equal(1, log.Head.Tree.Size);
        Assert.Equal(1, log.Head.Latest!.Size);
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 1, 0, configuration.LeafHash()), log.Head.Latest.Map.Find(ConfigurationEntry.MapLabel));
    }

    [Fact]
    public async Task InitializeAsync_RestartWithTheSameKeys_LogsNothingNew()
    {
        await PublishAliceAsync();

        using var again = new DirectoryFactory(temp.Path);
        var (log, _) = Started(again);

        Assert.Equal(2, log.Head.Tree.Size);
        Assert.Equal(2, log.Head.Latest!.Size);
        var latest = log.Head.Tree.Map.Find(ConfigurationEntry.MapLabel)!;
        Assert.Equal((1u, 0L), (latest.Version, latest.LeafIndex));
    }

    [Theory]
    [InlineData(DirectoryKeys.WitnessFile)]
    [InlineData(DirectoryKeys.VrfFile)]
    public async Task InitializeAsync_RestartAfterAKeyFileReplaced_LogsConfiguration2WithTheNewKeys(string file)
    {
        var (before, leaf) = await PublishAliceAsync();
        DirectoryFactory.ReplaceKey(temp.Path, file);

        using var again = new DirectoryFactory(temp.Path);
        var (log, keys) = Started(again);

        Assert.Equal(3, log.Head.Tree.Size);
        var configuration = ConfigurationEntry.Decode((await log.Tiles.GetEntryAsync(2))!);
        Assert.Equal(2u, configuration.Number);
        Assert.Equal(keys.Configuration(configuration.Timestamp, 2), configuration);
        Assert.True(configuration.Timestamp >= LogLeaf.Decode(leaf).Timestamp);
        Assert.Equal(file == DirectoryKeys.WitnessFile, !configuration.WitnessKey.SequenceEqual(before.WitnessKey));
        Assert.Equal(file == DirectoryKeys.VrfFile, !configuration.VrfKey.SequenceEqual(before.VrfKey));
        Assert.True(configuration.LogKey.SequenceEqual(before.LogKey));
        Assert.Equal(before.Poks.Select(p => p.ToArray()), configuration.Poks.Select(p => p.ToArray()));

        // The start-up checkpoint covers it, and its map names it as the latest configuration.
        Assert.Equal(3, log.Head.Latest!.Size);
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 2, 2, configuration.LeafHash()), log.Head.Latest.Map.Find(ConfigurationEntry.MapLabel));
    }

    /// <summary>Starts a directory on the temp folder, publishes alice and stops it; returns its configuration entry and alice's leaf.</summary>
    private async Task<(ConfigurationEntry Configuration, byte[] Leaf)> PublishAliceAsync()
    {
        using var first = new DirectoryFactory(temp.Path);
        var client = new DirectoryClient(first.CreateClient(), first.AdminToken);
        var answer = await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
        Assert.Equal(1, answer.LeafIndex);
        var (log, _) = Started(first);
        return (ConfigurationEntry.Decode((await log.Tiles.GetEntryAsync(0))!), answer.Leaf);
    }

    private static (DirectoryLog Log, DirectoryKeys Keys) Started(DirectoryFactory factory) =>
        (factory.Services.GetRequiredService<DirectoryLog>(), factory.Services.GetRequiredService<DirectoryKeys>());
}

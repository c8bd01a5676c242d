// A real directory (WebApplicationFactory, real SQLite file) for the watchdog and monitor
// tests, with what a coerced provider can do: reach into its own database, run a second
// tree under the same keys. Rate limits are raised so hundreds of entries go in quickly.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Audit;

public sealed class AuditHarness : IDisposable
{
    public static readonly Uri BaseUrl = new("http://localhost/");

    private readonly HttpClient http;

    public AuditHarness(string? dataPath = null)
    {
        Factory = new DirectoryFactory(dataPath, new Dictionary<string, string?>
        {
            ["Directory:SubmissionsPerMinute"] = "1000000",
            ["Directory:LookupsPerMinute"] = "1000000",
        });
        Client = new DirectoryClient(Factory.CreateClient(), Factory.AdminToken);
        http = new HttpClient(Factory.Server.CreateHandler()) { BaseAddress = BaseUrl };
        Http = new DirectoryHttpClient(http, BaseUrl);
    }

    public DirectoryFactory Factory { get; }

    public DirectoryClient Client { get; }

    public DirectoryHttpClient Http { get; }

    public DirectoryDatabase Database => Factory.Services.GetRequiredService<DirectoryLog>().Database;

    /// <summary>The descriptor trusted on first use, as dmd does.</summary>
    public async Task<TrustedDirectory> TrustAsync()
    {
        var descriptor = await Http.GetDescriptorAsync();
        var trust = TrustedDirectory.Establish(descriptor, BaseUrl.AbsoluteUri, null, null, new ClientState(), DateTimeOffset.UtcNow);
        Assert.True(trust.IsTrusted, trust.Message);
        return trust.Directory!;
    }

    /// <summary>Publishes version 1 for <paramref name="count"/> fresh users without waiting, then waits for a checkpoint covering them.</summary>
    public async Task PublishManyAsync(int count)
    {
        var before = await SizeAsync();
        for (var i = 0; i < count; i++)
        {
            using var user = TestUser.Create($"u{Guid.NewGuid():N}@example.test");
            var code = await Client.EnrollAsync(user.Address);
            using var response = await Client.SubmitAsync(user.Publish(), code, wait: false);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await WaitForSizeAsync(before + count);
    }

    /// <summary>
    /// Adds <paramref name="count"/> version-1 publications of fresh addresses the quickest honest
    /// way, for logs of 10^4 entries where publishing through HTTP one by one takes minutes: the
    /// rows an accepted enrolment leaves (the account with its VRF label and proof, the signet
    /// with its user and org signatures, spec/server.md "Storage") go into the database in one
    /// transaction, and the sequencer logs them as it logs every submission. Waits for a
    /// checkpoint covering them.
    /// </summary>
    public async Task SeedAsync(int count)
    {
        var before = await SizeAsync();
        var keys = Factory.Services.GetRequiredService<DarkMail.Directory.Server.Keys.DirectoryKeys>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var accounts = new Storage.Entities.AccountEntity[count];
        // The signatures and VRF evaluations are the cost; the keys are used concurrently by the server too.
        Parallel.For(0, count, i =>
        {
            using var user = TestUser.Create($"s{Guid.NewGuid():N}@example.test");
            var signet = Core.Signets.UnsignedSignet.Decode(user.Publish()).SignOrg(keys.Pok);
            var (label, proof) = Core.Vrf.Label.Compute(keys.Vrf, user.Address);
            accounts[i] = new Storage.Entities.AccountEntity
            {
                Address = user.Address,
                Label = label,
                VrfProof = proof,
                CurrentVersion = 1,
                CurrentSigningKey = user.SigningPublicKey,
                CurrentHash = signet.Hash.ToArray(),
                Signets =
                [
                    new Storage.Entities.SignetEntity
                    {
                        Version = 1,
                        Signet = signet.ToArray(),
                        Event = (int)Core.Leaves.LeafEvent.Publish,
                        SubmittedAt = now,
                    },
                ],
            };
        });

        await using (var db = Database.CreateContext())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Accounts.AddRange(accounts);
            await db.SaveChangesAsync();
        }

        await WaitForSizeAsync(before + count, TimeSpan.FromMinutes(2));
    }

    /// <summary>Publishes <paramref name="user"/> version 1 and waits for its checkpoint.</summary>
    public async Task<KeyAnswer> PublishAsync(TestUser user) =>
        await Client.SubmitOkAsync(user.Publish(), await Client.EnrollAsync(user.Address));

    public async Task<long> SizeAsync() => CheckpointOf(await http.GetByteArrayAsync("/log/checkpoint")).Size;

    public async Task<string> CheckpointNoteAsync() => Encoding.UTF8.GetString(await http.GetByteArrayAsync("/log/checkpoint"));

    public async Task WaitForSizeAsync(long size, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (await SizeAsync() < size)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the log did not reach size {size} within {limit}");
            await Task.Delay(20);
        }
    }

    /// <summary>Copies the directory's keys into a fresh data folder: a second tree signed by the same log key.</summary>
    public string CloneKeysInto(string folder)
    {
        var keys = Path.Combine(folder, "keys");
        System.IO.Directory.CreateDirectory(keys);
        if (!OperatingSystem.IsWindows())
        {
            // The server refuses a key folder others can read, as it should.
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Factory.DataPath, "keys")))
        {
            File.Copy(file, Path.Combine(keys, Path.GetFileName(file)));
        }

        return folder;
    }

    public static Checkpoint CheckpointOf(byte[] note) => Checkpoint.FromNote(SignedNote.Parse(note));

    public void Dispose()
    {
        http.Dispose();
        Factory.Dispose();
    }
}

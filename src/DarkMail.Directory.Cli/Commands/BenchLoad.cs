// spec/cli.md "bench": what the load verbs (publish, soak, crash) share. A BenchIdentity is
// one bench address with the signing key the directory holds for it (kept as a seed), and builds its
// version-1 publication or its next rotation (custody-signed by the current key). The
// AckWriter writes one line per acknowledged submission, flushed before the next one is
// written, so a reader finds every acknowledgement the driver saw even if it is killed.
// SubmitOutcomes counts what the server said to each submission: accepted (2xx), refused
// (a problem answer, by code) or failed (no answer: the network or a timeout).
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Commands;

internal sealed class BenchIdentity(Address address) : IDisposable
{
    private static readonly ulong Lifetime = 365UL * 86400;

    // Seeds, not NSec keys: a Key lives in libsodium's guarded memory (its own mappings), and
    // a million of them exceed the kernel's map count. A key is imported only while it signs.
    private byte[]? next;
    private byte[]? signing;

    public Address Address => address;

    /// <summary>The public signing key of the version the directory acknowledged last (null before).</summary>
    public byte[]? SigningPublicKey { get; private set; }

    /// <summary>The version the directory acknowledged last (0 before).</summary>
    public uint Version { get; private set; }

    /// <summary>Version 1 with a fresh key pair, signed by its owner; <see cref="Acknowledged"/> once accepted.</summary>
    public SubmitRequest Publish(string code, DateTimeOffset now)
    {
        next = RandomNumberGenerator.GetBytes(SeedSize);
        using var key = Import(next);
        var created = (ulong)now.ToUnixTimeSeconds();
        var signet = Keys(new SignetBuilder { Address = address, Version = 1, Created = created, Expires = created + Lifetime }, key).Build().SignUser(key);
        return new SubmitRequest(signet.ToArray(), code);
    }

    /// <summary>The version after <paramref name="current"/> (the directory's answer), with a new key, custody-signed by the current one.</summary>
    public SubmitRequest Rotate(KeyAnswer current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        using var previousKey = Import(signing ?? throw new InvalidOperationException($"{address} has no acknowledged version to rotate from."));
        var previous = Signet.Decode(current.Signet);
        next = RandomNumberGenerator.GetBytes(SeedSize);
        using var key = Import(next);
        var builder = SignetBuilder.After(previous);
        builder.Created = Math.Max((ulong)now.ToUnixTimeSeconds(), previous.Created);
        builder.Expires = builder.Created + Lifetime;
        var signet = Keys(builder, key).Build().SignCustody(previousKey, current.Label).SignUser(key);
        return new SubmitRequest(signet.ToArray());
    }

    /// <summary>The directory accepted the version last built: its key is now the current one.</summary>
    public void Acknowledged()
    {
        var seed = next ?? throw new InvalidOperationException("Nothing was submitted.");
        next = null;
        Clear(signing);
        signing = seed;
        SigningPublicKey = PublicKeyOf(seed);
        Version++;
    }

    /// <summary>
    /// The directory serves <paramref name="version"/> signed by <paramref name="signingKey"/>
    /// although no acknowledgement came (the answer was lost): adopt it when it is the
    /// version last built.
    /// </summary>
    public bool AdoptServed(uint version, ReadOnlySpan<byte> signingKey)
    {
        if (version == Version + 1 && next is not null && PublicKeyOf(next).AsSpan().SequenceEqual(signingKey))
        {
            Acknowledged();
            return true;
        }

        return false;
    }

    public void Dispose()
    {
        Clear(next);
        Clear(signing);
    }

    private const int SeedSize = 32;

    private static Key Import(byte[] seed) => Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

    private static byte[] PublicKeyOf(byte[] seed)
    {
        using var key = Import(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    private static void Clear(byte[]? seed)
    {
        if (seed is not null)
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static SignetBuilder Keys(SignetBuilder builder, Key signing)
    {
        using var encryption = Key.Create(KeyAgreementAlgorithm.X25519);
        builder.SigningKey = signing.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        builder.EncryptionKey = encryption.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        return builder;
    }
}

/// <summary>`address&lt;TAB&gt;version` per acknowledged submission, each line flushed as written.</summary>
internal sealed class AckWriter : IDisposable
{
    private readonly StreamWriter writer;
    private readonly Lock gate = new();

    public AckWriter(string path, bool append = false)
    {
        writer = new StreamWriter(new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read), new System.Text.UTF8Encoding(false));
    }

    public void Write(string address, uint version)
    {
        lock (gate)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{address}\t{version}\n"));
            writer.Flush();
        }
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    public static IEnumerable<(string Address, uint Version)> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
        {
            var tab = l.IndexOf('\t', StringComparison.Ordinal);
            return (l[..tab], uint.Parse(l.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture));
        });

    public void Dispose() => writer.Dispose();
}

/// <summary>How the server answered submissions: accepted, refused by problem code, or no answer.</summary>
internal sealed class SubmitOutcomes
{
    private readonly ConcurrentDictionary<string, int> refusedByCode = new(StringComparer.Ordinal);
    private int accepted;
    private int refused;
    private int failed;
    private string? firstError;

    public int Accepted => Volatile.Read(ref accepted);

    public int Refused => Volatile.Read(ref refused);

    public int Failed => Volatile.Read(ref failed);

    public int Errors => Refused + Failed;

    /// <summary>The problem name of a 429: refused by the rate limits, counted among the refusals and on its own.</summary>
    public const string RateLimitedName = "rate-limited";

    /// <summary>Refusals with 429 rate-limited (among <see cref="Refused"/>).</summary>
    public int RateLimited => refusedByCode.GetValueOrDefault(RateLimitedName);

    public string? FirstError => Volatile.Read(ref firstError);

    public IReadOnlyDictionary<string, int> RefusedByCode => refusedByCode;

    /// <summary>Sends one submission; true when the server acknowledged it (2xx).</summary>
    public async Task<bool> SubmitAsync(DirectoryHttpClient client, SubmitRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await client.SubmitAsync(request, wait: false, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref accepted);
            return true;
        }
        catch (DirectoryHttpException e)
        {
            Record(e);
            return false;
        }
    }

    /// <summary>Counts a request answered with 2xx.</summary>
    public void Succeeded() => Interlocked.Increment(ref accepted);

    public void Record(DirectoryHttpException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is DirectoryProblemException problem)
        {
            Interlocked.Increment(ref refused);
            refusedByCode.AddOrUpdate(problem.Name, 1, (_, n) => n + 1);
        }
        else
        {
            Interlocked.Increment(ref failed);
        }

        Interlocked.CompareExchange(ref firstError, $"{e.Code}: {e.Message}", null);
    }

    /// <summary>"rate-limited 12, version-conflict 1", most frequent first.</summary>
    public string DescribeRefusals() =>
        string.Join(", ", refusedByCode.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
}

/// <summary>
/// Progress of a bench phase on standard error (spec/cli.md §2.9): one line a second while
/// the phase runs, the first after a second, so a run shorter than that prints none.
/// </summary>
internal sealed class BenchProgress : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public BenchProgress(TextWriter error, Func<string> describe)
    {
        loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    error.WriteLine(describe());
                }
            }
            catch (OperationCanceledException)
            {
                // The phase ended.
            }
        });
    }

    public void Dispose()
    {
        if (!stop.IsCancellationRequested)
        {
            stop.Cancel();
            loop.Wait();
        }

        stop.Dispose();
    }
}

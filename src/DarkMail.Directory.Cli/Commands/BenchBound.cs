// spec/cli.md §2.9 "The crypto bound" (issue 10): what the directory's accept path costs
// per submission in CPU, measured in this run on this machine with the primitives the server
// uses (Core's signet decoder, Ed25519 through NSec, vrf-r255), on every core at once: a
// version 1 is decoded (address normalised), its user signature verified, its VRF label and
// proof computed, and it is org-signed and hashed (the stored signet's SHA-256); a rotation is
// decoded, its user signature and its custody signature (under the previous version's key,
// over the label) verified, org-signed and hashed. No directory can accept submissions faster
// than this many per second on these cores, so bench publish reports its end-to-end rate as a
// ratio of it. The keys are the bench's own (a fresh POK and VRF key): the cost does not
// depend on whose they are. The work runs on ProcessorCount dedicated threads for a fixed
// time, each cycling through the prepared submissions, after an untimed warm-up of
// WarmUp on every thread: one pass left most of the code at tier 0 of the JIT, whose
// recompilation then ran (on a third thread, on these same cores) inside the timed window,
// one source of the bound's spread between runs (issue 10 round 2).
using System.Diagnostics;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Commands;

/// <summary>Submissions per second the accept path's crypto allows on <paramref name="Threads"/> cores, measured over <paramref name="Seconds"/>.</summary>
internal readonly record struct CryptoBound(double PerSecond, int Threads, double Seconds, long Operations)
{
    /// <summary>How long the bound is measured (all cores busy).</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    /// <summary>How long every thread runs the work untimed first (JIT tiering, key import, caches).</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>The bound for version-1 publications: decode, user signature, VRF prove, org signature, hash.</summary>
    public static CryptoBound Publications(IReadOnlyList<SubmitRequest> requests, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var pok = Key.Create(SignatureAlgorithm.Ed25519);
        using var vrf = VrfSecretKey.Generate();
        return Measure(requests.Count, i =>
        {
            var signet = Decode(requests[i]);
            var (label, _) = Label.Compute(vrf, signet.Address.ToString());
            return label[0] ^ signet.SignOrg(pok).Hash[0];
        }, duration);
    }

    /// <summary>
    /// The bound for rotations: decode, user signature, custody signature under
    /// <c>Previous</c> (raw public key, imported per submission as the server does) over <c>Label</c>, org signature, hash.
    /// </summary>
    public static CryptoBound Rotations(IReadOnlyList<(SubmitRequest Request, byte[] Previous, byte[] Label)> work, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var pok = Key.Create(SignatureAlgorithm.Ed25519);
        return Measure(work.Count, i =>
        {
            var (request, previous, label) = work[i];
            var signet = Decode(request);
            if (!CustodyMessage.Verify(previous, label, signet.Version, signet.SigningKey, signet.BodyHash, signet.CustodySignature))
            {
                throw new InvalidOperationException($"The bench rotation {i} has a custody signature that does not verify.");
            }

            return signet.SignOrg(pok).Hash[0];
        }, duration);
    }

    private static UnsignedSignet Decode(SubmitRequest request)
    {
        var signet = UnsignedSignet.Decode(request.Signet);
        return signet.VerifyUser() ? signet : throw new InvalidOperationException("A bench signet has a user signature that does not verify.");
    }

    /// <summary>Runs <paramref name="operation"/> on every core for <paramref name="duration"/>; operations per second of wall time.</summary>
    private static CryptoBound Measure(int items, Func<int, int> operation, TimeSpan duration)
    {
        if (items == 0)
        {
            return new CryptoBound(double.NaN, 0, 0, 0);
        }

        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var sink = new int[threads];
        using var ready = new CountdownEvent(threads);
        using var start = new ManualResetEventSlim();
        var clock = new Stopwatch();
        var warm = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            // Warm-up (JIT tiering, key import) outside the timed window.
            var w = t % items;
            do
            {
                sink[t] ^= operation(w);
                w = (w + threads) % items;
            }
            while (warm.Elapsed < WarmUp);

            ready.Signal();
            start.Wait();
            long done = 0;
            var i = t % items;
            while (clock.Elapsed < duration)
            {
                sink[t] ^= operation(i);
                done++;
                i = (i + threads) % items;
            }

            counts[t] = done;
        }) { IsBackground = true, Name = $"bench-bound-{t}" }).ToList();
        workers.ForEach(w => w.Start());
        ready.Wait();
        clock.Start();
        start.Set();
        workers.ForEach(w => w.Join());
        var seconds = clock.Elapsed.TotalSeconds;
        var total = counts.Sum();
        GC.KeepAlive(sink);
        return new CryptoBound(total / seconds, threads, seconds, total);
    }
}

// spec/cli.md "audit" (issue 10 "Audit"): the verify bound an audit's custody checks are
// compared with. One custody signature, made here over a fixed message, is verified with
// the audit's own primitive (CustodyMessage.Verify) on every core for a fixed time; the
// bound is the verifications per second of all cores together.
using System.Diagnostics;
using DarkMail.Directory.Core.Custody;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Audit;

public static class CustodyVerifyBound
{
    /// <summary>Custody verifications per second on all cores, measured for about <paramref name="duration"/>.</summary>
    public static double Measure(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var label = new byte[32];
        var bodyHash = new byte[32];
        label[0] = 1;
        bodyHash[0] = 2;
        using var previous = Key.Create(SignatureAlgorithm.Ed25519);
        using var next = Key.Create(SignatureAlgorithm.Ed25519);
        var previousKey = previous.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var newKey = next.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var signature = SignatureAlgorithm.Ed25519.Sign(previous, CustodyMessage.Build(label, 2, newKey, bodyHash));
        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long done = 0;
            while (clock.Elapsed < duration)
            {
                for (var i = 0; i < 16; i++)
                {
                    if (!CustodyMessage.Verify(previousKey, label, 2, newKey, bodyHash, signature))
                    {
                        throw new InvalidOperationException("A custody signature made here does not verify.");
                    }
                }

                done += 16;
            }

            counts[t] = done;
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return counts.Sum() / seconds;
    }
}

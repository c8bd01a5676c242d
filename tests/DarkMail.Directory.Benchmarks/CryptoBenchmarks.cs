// The crypto of one publication and one client check: the VRF label of an address (the
// server proves it for every submission; a client verifies it in every answer) and a
// signet's decoding and signatures (the server decodes every submission; a client checks
// the user and organisation signatures of every answer).
using BenchmarkDotNet.Attributes;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using NSec.Cryptography;

namespace DarkMail.Directory.Benchmarks;

[MemoryDiagnoser]
public class VrfBenchmarks
{
    private BenchDirectory directory = null!;

    [GlobalSetup]
    public void Setup() => directory = BenchDirectory.Create(1);

    [GlobalCleanup]
    public void Cleanup() => directory.Dispose();

    [Benchmark(Description = "VRF prove (label of an address)")]
    public (byte[] Label, byte[] Proof) Prove() => Label.Compute(directory.Vrf, BenchDirectory.AddressText);

    [Benchmark(Description = "VRF verify (label and proof of an address)")]
    public bool Verify() => Label.Verify(directory.Vrf.PublicKey, BenchDirectory.AddressText, directory.Label, directory.VrfProof)
        ? true
        : throw new InvalidOperationException("The VRF proof did not verify.");
}

[MemoryDiagnoser]
public class SignetBenchmarks
{
    private BenchDirectory directory = null!;
    private PublicKey pok = null!;

    [GlobalSetup]
    public void Setup()
    {
        directory = BenchDirectory.Create(1);
        pok = directory.Pok.PublicKey;
    }

    [GlobalCleanup]
    public void Cleanup() => directory.Dispose();

    [Benchmark(Description = "signet decode")]
    public Signet Decode() => Signet.Decode(directory.Signet);

    [Benchmark(Description = "signet decode + verify (user and org signatures)")]
    public Signet DecodeAndVerify()
    {
        var signet = Signet.Decode(directory.Signet);
        return signet.VerifyUser() && signet.VerifyOrg(pok) ? signet : throw new InvalidOperationException("The signet did not verify.");
    }
}

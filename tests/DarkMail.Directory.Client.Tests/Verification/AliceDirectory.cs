// The set-up the KeyVerifier test classes share: a fresh TestDirectory in which
// alice@example.test published version 1, followed by noise leaves, so that her leaf is not
// the last one. Each test class owns one per test (xUnit makes a class instance per test)
// and disposes it with itself.
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class AliceDirectory : IDisposable
{
    public const string Alice = "alice@example.test";

    public AliceDirectory()
    {
        Directory.Publish(Alice, AliceKey);
        Directory.AddNoise();
    }

    public TestDirectory Directory { get; } = new();

    /// <summary>Alice's signing key of version 1.</summary>
    public Key AliceKey { get; } = TestDirectory.NewSigningKey();

    public void Dispose()
    {
        Directory.Dispose();
        AliceKey.Dispose();
    }
}

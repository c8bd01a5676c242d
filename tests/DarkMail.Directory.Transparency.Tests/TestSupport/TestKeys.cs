using DarkMail.Directory.Transparency.Cosignatures;

namespace DarkMail.Directory.Transparency.Tests.TestSupport;

/// <summary>Witness keys beyond the vectors' own (NoteVectors), from a repeated seed byte.</summary>
internal static class TestKeys
{
    public static CosignatureVerifier Cosigner(string name, byte seed)
    {
        using var signer = new CosignatureSigner(name, Enumerable.Repeat(seed, 32).ToArray());
        return signer.Verifier;
    }
}

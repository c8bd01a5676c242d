// Positive vectors derived by hand from spec/vrf-labels.md §2.2 and §4.1: the label is the
// first 32 bytes of beta = SHA-512(suite_string || 0x03 || Gamma || 0x00), computed here
// with SHA-512 directly from the Gamma of a proof, not by the library. The first vector's
// proof and beta are c2sp.org/vrf-r255's own (shared-vectors/vrf-r255.json, an independent
// implementation); the second checks that an address's alpha is its normalised UTF-8 bytes.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Vrf;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class HandDerivedVectorTests
{
    // §2.1: 0xFF then ASCII "c2sp.org/vrf-r255".
    private static readonly byte[] Suite = [0xff, .. "c2sp.org/vrf-r255"u8];

    [Fact]
    public void Label_C2spVector_IsTheFirstHalfOfBetaHashedFromGamma()
    {
        var vector = Shared("vrf-r255.json");
        var sk = Convert.FromHexString((string)vector["sk"]!);
        var alpha = Convert.FromHexString((string)vector["alpha"]!);
        var pi = Convert.FromHexString((string)vector["pi"]!);

        // §2.2: beta from Gamma = pi[0..32] (§2.3 proof layout); §4.1: label = beta[0..32].
        var beta = SHA512.HashData([.. Suite, 0x03, .. pi.AsSpan(0, 32), 0x00]);
        Assert.Equal((string)vector["beta"]!, Convert.ToHexStringLower(beta));

        using var key = VrfSecretKey.Import(sk);
        var label = new byte[Label.Size];
        var proof = new byte[80];
        Label.Compute(key, alpha, label, proof);

        Assert.Equal(beta.AsSpan(0, 32).ToArray(), label);
        Assert.Equal(pi, proof);
        Assert.True(Label.Verify(VrfPublicKey.Import(Convert.FromHexString((string)vector["pk"]!)), alpha, label, proof));
    }

    [Fact]
    public void Label_Address_AlphaIsTheNormalisedUtf8AndLabelFollowsFromGamma()
    {
        using var key = VrfSecretKey.Import(Convert.FromHexString((string)Shared("vrf-r255.json")["sk"]!));

        var (label, proof) = Label.Compute(key, "josé@example.org");

        // §4.1: alpha is the UTF-8 of the normalised address, nothing before or after it
        // ("é" is C3 A9 in NFC).
        var alpha = Convert.FromHexString("6a6f73c3a9406578616d706c652e6f7267");
        var byAlpha = new byte[Label.Size];
        var proofByAlpha = new byte[80];
        Label.Compute(key, alpha, byAlpha, proofByAlpha);
        Assert.Equal(byAlpha, label);
        Assert.Equal(proofByAlpha, proof);

        // The label is SHA-512(suite || 0x03 || Gamma || 0x00)[0..32] of the proof's own Gamma.
        Assert.Equal(SHA512.HashData([.. Suite, 0x03, .. proof.AsSpan(0, 32), 0x00]).AsSpan(0, 32).ToArray(), label);
        Assert.True(Label.Verify(key.PublicKey, "josé@example.org", label, proof));
    }
}

using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Transparency.Tests.Proofs;

public class TlogProofVerificationTests
{
    [Fact]
    public void Valid_CarriesCheckpointCosignersAndCounts()
    {
        var proof = new TlogProof(5, NoteVectors.InclusionProof(5, 33), SignedNote.Parse(NoteVectors.CosignedCheckpoint));
        var result = proof.Verify(NoteVectors.LogVerifier, NoteVectors.LogName, NoteVectors.LeafHash(5), new WitnessPolicy([NoteVectors.WitnessCosigner], 1));
        Assert.True(result.IsValid);
        Assert.Null(result.Detail);
        Assert.Equal(33, result.Checkpoint!.Size);
        Assert.Equal(1, result.WitnessCount);
        Assert.Equal(1, result.Quorum);
    }

    [Fact]
    public void QuorumNotMet_DetailNamesCounts()
    {
        var proof = new TlogProof(5, NoteVectors.InclusionProof(5, 33), SignedNote.Parse(NoteVectors.CheckpointNote(33)));
        var result = proof.Verify(NoteVectors.LogVerifier, NoteVectors.LogName, NoteVectors.LeafHash(5), new WitnessPolicy([NoteVectors.WitnessCosigner], 1));
        Assert.False(result.IsValid);
        Assert.Equal(TlogProofStatus.QuorumNotMet, result.Status);
        Assert.Equal("0 of the required 1 witnesses cosigned.", result.Detail);
        Assert.Empty(result.Cosignatures);
    }
}

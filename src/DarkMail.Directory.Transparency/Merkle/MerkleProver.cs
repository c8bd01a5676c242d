// RFC 9162 §2.1.3.1 and §2.1.4.1: inclusion and consistency proofs, and the root of any
// tree size, read from a store of complete-subtree hashes (see MerkleProofPlan).
namespace DarkMail.Directory.Transparency.Merkle;

public static class MerkleProver
{
    /// <summary>MTH(D[0:size]); the empty tree's root for size 0.</summary>
    public static byte[] Root(IMerkleNodeSource source, long size) =>
        MerkleProofPlan.ForRoot(size).Assemble(source)[0];

    /// <summary>PATH(index, D[0:size]), ordered from the leaf upwards.</summary>
    public static byte[][] InclusionProof(IMerkleNodeSource source, long index, long size) =>
        MerkleProofPlan.ForInclusion(index, size).Assemble(source);

    /// <summary>PROOF(size1, D[0:size2]).</summary>
    public static byte[][] ConsistencyProof(IMerkleNodeSource source, long size1, long size2) =>
        MerkleProofPlan.ForConsistency(size1, size2).Assemble(source);
}

// spec/api.md "GET /v1/admin/replica", spec/server.md §11: what one replica says about its
// part in the sequencer lease, for operators and tests.
namespace DarkMail.Directory.Client.Api;

/// <summary>
/// One replica's role: "sequencer" (it holds the lease with fencing token <paramref name="Token"/>)
/// or "follower" (token 0); the size of its tree and of the checkpoint it serves.
/// </summary>
public sealed record ReplicaStatus(string ReplicaId, string Role, long Token, long TreeSize, long CheckpointSize);

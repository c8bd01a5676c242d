// spec/server.md "Settings", spec/witnessing.md: "Directory:Witnessing" configures this
// directory as a witness of other logs (Peers: dx directories; Logs: any C2SP log by origin
// and verifier key) and how it talks to its own witnesses; "Directory:Witnesses" lists the
// witnesses this directory's log asks for cosignatures.
using System.ComponentModel.DataAnnotations;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class WitnessingOptions : IValidatableObject
{
    public const string Section = "Directory:Witnessing";

    /// <summary>Base URLs of the directories this one witnesses; their descriptors give origin and log key. Default: none.</summary>
    public List<string> Peers { get; set; } = [];

    /// <summary>
    /// Logs this directory witnesses without a descriptor (any c2sp.org/tlog-witness client),
    /// each by origin and the log's Ed25519 signed-note verifier key. Default: none.
    /// </summary>
    public List<WitnessedLogOptions> Logs { get; set; } = [];

    /// <summary>How often every peer's descriptor is fetched again. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan PeerRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How soon a peer whose descriptor could not be fetched is tried again. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan PeerRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt to a peer or witness. Default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after a failed attempt to reach a witness (jittered exponential back-off). Default 3.</summary>
    [Range(0, 10)]
    public int Retries { get; set; } = 3;

    /// <summary>The quorum advertised in the descriptor's witness policy over the configured witnesses. Default 0.</summary>
    [Range(0, 32)]
    public int AdvisedQuorum { get; set; }

    /// <summary>Refuses a configured log without a valid origin or Ed25519 note verifier key, or listed twice.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Logs.Count; i++)
        {
            var log = Logs[i];
            var name = $"{Section}:Logs:{i}";
            if (log.ParseOrigin() is null)
            {
                yield return new ValidationResult($"{name}:Origin must be a non-empty checkpoint origin line (c2sp.org/tlog-checkpoint).", [nameof(Logs)]);
            }

            string? reason;
            try
            {
                reason = VerifierKey.Parse(log.VerifierKey ?? string.Empty) is Ed25519NoteVerifier
                    ? null
                    : "it is a cosigner key (type 0x04), not a log's Ed25519 note key (type 0x01)";
            }
            catch (InvalidFormatException e)
            {
                reason = $"{e.Message} ({e.Code})";
            }

            if (reason is not null)
            {
                yield return new ValidationResult($"{name}:VerifierKey is not a signed-note verifier key '<name>+<hash>+<base64>' of a log: {reason}.", [nameof(Logs)]);
            }
            else if (!seen.Add(log.VerifierKey!))
            {
                yield return new ValidationResult($"{name}:VerifierKey is listed twice in {Section}:Logs.", [nameof(Logs)]);
            }
        }
    }
}

/// <summary>One entry of "Directory:Witnessing:Logs": a C2SP log given by origin and verifier key.</summary>
public sealed class WitnessedLogOptions
{
    /// <summary>The checkpoint origin line of the log (c2sp.org/tlog-checkpoint), e.g. "example.com/log".</summary>
    public string? Origin { get; set; }

    /// <summary>The log's signed-note verifier key, "&lt;name&gt;+&lt;8 hex key hash&gt;+&lt;base64(0x01 || Ed25519 public key)&gt;".</summary>
    public string? VerifierKey { get; set; }

    internal string? ParseOrigin()
    {
        try
        {
            return Origin is null ? null : new Checkpoint(Origin, 0, Rfc6962.EmptyRoot).Origin;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>The list bound from "Directory:Witnesses".</summary>
public sealed class LogWitnessesOptions
{
    public const string Section = "Directory";

    /// <summary>The witnesses this log asks to cosign each new checkpoint. Default: none.</summary>
    public List<WitnessEndpointOptions> Witnesses { get; set; } = [];
}

public sealed class WitnessEndpointOptions
{
    /// <summary>Base URL of the witness; the request goes to {Url}/witness/add-checkpoint unless the URL already ends in add-checkpoint.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The witness's cosigner verifier key (vkey, type 0x04).</summary>
    public string CosignerKey { get; set; } = string.Empty;
}

// spec/server.md "Settings", spec/witnessing.md: "Directory:Witnessing" configures this
// directory as a witness of other logs (Peers) and how it talks to its own witnesses;
// "Directory:Witnesses" lists the witnesses this directory's log asks for cosignatures.
using System.ComponentModel.DataAnnotations;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class WitnessingOptions
{
    public const string Section = "Directory:Witnessing";

    /// <summary>Base URLs of the directories this one witnesses; their descriptors give origin and log key. Default: none.</summary>
    public List<string> Peers { get; set; } = [];

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

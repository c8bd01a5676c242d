// A directory built in memory from the real libraries, for unit tests of the client: POK,
// log key, VRF key, a signed descriptor, signets with org signatures, leaves in a Merkle
// tree, the label map, checkpoints with their claims (map root, time), tlog-proofs, map
// proofs, absence proofs and tiles. It follows the rules of spec/api.md, and tests
// mutate its answers to check every failure the verifier reports. It is also an
// HttpMessageHandler answering the endpoints of spec/api.md read side, so the HTTP client
// and the CLI can be driven without sockets.
using System.Net;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;
using NSec.Cryptography;
using CorePolicy = DarkMail.Directory.Core.Descriptors.WitnessPolicyAdvice;

namespace DarkMail.Directory.Client.Tests;

public sealed class TestDirectory : HttpMessageHandler, ITileReader
{
    public const string Domain = "example.test";
    public const string Origin = Domain + "/dmd";
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly Uri Url = new("https://dir.example.test/");

    private readonly List<byte[]> entries = [];
    private readonly InMemoryMerkleTree tree = new();
    private readonly Dictionary<string, List<Version>> versions = new(StringComparer.Ordinal);

    /// <summary>The OpenPGP certificates committed by published versions, by (address, version).</summary>
    private readonly Dictionary<(string Address, uint Version), byte[]> certificates = [];

    public TestDirectory(string domain = Domain, Key? pok = null)
    {
        DomainName = domain;
        Pok = pok ?? Key.Create(SignatureAlgorithm.Ed25519);
        LogSigner = new Ed25519NoteSigner(domain + "/dmd", RandomBytes(32));
        Vrf = VrfSecretKey.Generate();
        var witness = new Ed25519NoteSigner("witness.test", RandomBytes(32));
        var payload = new DescriptorPayload(
            domain, new Uri($"https://dir.{domain}/"), [Pok.PublicKey.Export(KeyBlobFormat.RawPublicKey)],
            LogSigner.Verifier.ToVerifierKey(), Vrf.PublicKey.Export(), witness.Verifier.ToVerifierKey(),
            new CorePolicy(0, []), new DescriptorLimits(65536, 4096, 600, 60),
            new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Descriptor = Descriptor.Sign(payload, Pok);
        Configuration = new ConfigurationEntry(1, 1, [Pok.PublicKey.Export(KeyBlobFormat.RawPublicKey)], Vrf.PublicKey.Export(), LogSigner.Verifier.PublicKey, witness.Verifier.PublicKey);
        witness.Dispose();

        // spec/configuration.md §3: a log's first entry is its configuration.
        AppendLeaf(Configuration.Encode());
    }

    /// <summary>The configuration entry at index 0, matching the descriptor's keys.</summary>
    public ConfigurationEntry Configuration { get; }

    /// <summary>When set, replaces the answer of GET /v1/configuration; returning null answers 404.</summary>
    public Func<ConfigurationAnswer, ConfigurationAnswer?>? TamperConfiguration { get; set; }

    /// <summary>GET /v1/configuration: the latest configuration entry with its proofs at the tree of <paramref name="size"/>.</summary>
    public ConfigurationAnswer ConfigurationAnswer(long? size = null)
    {
        var n = size ?? tree.Size;
        var map = MapAt(n);
        var entry = map.Find(ConfigurationEntry.MapLabel)!;
        var proof = new TlogProof(entry.LeafIndex, MerkleProver.InclusionProof(tree, entry.LeafIndex, n), CheckpointNote(n));
        return new ConfigurationAnswer(entry.Version, entries[(int)entry.LeafIndex], entry.LeafIndex, proof.ToString(), map.Prove(ConfigurationEntry.MapLabel).Encode());
    }

    /// <summary>Logs another configuration entry (a key change the log makes visible).</summary>
    public void LogConfiguration(ConfigurationEntry configuration) => AppendLeaf(configuration.Encode());

    /// <summary>
    /// Logs the next configuration, naming a new witness key, and re-signs the descriptor to
    /// advertise it: an honest key change, visible in the log. Returns the entry logged.
    /// </summary>
    public ConfigurationEntry ChangeWitnessKey()
    {
        using var witness = new Ed25519NoteSigner("witness.test", RandomBytes(32));
        var number = MapAt(Size).Find(ConfigurationEntry.MapLabel)!.Version + 1;
        // Timestamp 1, as every leaf here: the chain rules see no timestamp go back.
        var next = new ConfigurationEntry(1, number, [.. Descriptor.Payload.Poks], Vrf.PublicKey.Export(), LogSigner.Verifier.PublicKey, witness.Verifier.PublicKey);
        LogConfiguration(next);
        Advertise(witnessKey: witness.Verifier.ToVerifierKey());
        return next;
    }

    /// <summary>
    /// Re-signs the descriptor with <paramref name="signer"/> (<see cref="Pok"/> by default),
    /// advertising what is given instead of what it advertised (the keys of a configuration or
    /// not, another witness advice).
    /// </summary>
    public void Advertise(
        IEnumerable<ReadOnlyMemory<byte>>? poks = null,
        string? logKey = null,
        ReadOnlyMemory<byte>? vrfKey = null,
        string? witnessKey = null,
        CorePolicy? advice = null,
        Key? signer = null)
    {
        var p = Descriptor.Payload;
        Descriptor = Descriptor.Sign(
            new DescriptorPayload(p.Domain, p.DirectoryUrl, poks ?? p.Poks, logKey ?? p.LogVerifierKey, vrfKey ?? p.VrfPublicKey, witnessKey ?? p.WitnessCosignerKey,
                advice ?? p.WitnessPolicy, p.Limits, p.Issued, p.Expires),
            signer ?? Pok);
    }

    public string DomainName { get; }

    public Key Pok { get; }

    /// <summary>Signs every checkpoint; a test may swap in a key the logged configuration does not name.</summary>
    public Ed25519NoteSigner LogSigner { get; set; }

    /// <summary>Makes every label from here on; a test may swap in a key the logged configuration does not name.</summary>
    public VrfSecretKey Vrf { get; set; }

    public Descriptor Descriptor { get; set; }

    public long Size => tree.Size;

    /// <summary>The time every checkpoint claims (<see cref="Now"/> unless a test moves it).</summary>
    public DateTimeOffset CheckpointTime { get; set; } = Now;

    /// <summary>A clock at <see cref="Now"/>, for verifiers that judge checkpoint ages.</summary>
    public static Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock() => new(Now);

    /// <summary>Witnesses that cosign every checkpoint served (answers, absences, /log/checkpoint), each line dated at its own time.</summary>
    public List<(CosignatureSigner Witness, DateTimeOffset Time)> Cosigners { get; } = [];

    /// <summary>
    /// When set, applied to the absence proof of every 404 key answer; returning null serves a
    /// bare 404 without one (a directory that claims "no key" without proving it).
    /// </summary>
    public Func<AbsenceProof, AbsenceProof?>? TamperAbsence { get; set; }

    /// <summary>Addresses answered 404 although published (a provider denying a key); their "absence proof" is what the map really gives.</summary>
    public HashSet<string> Hidden { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, applied to every history answer: a directory that hides or swaps versions.</summary>
    public Func<KeyHistory, KeyHistory>? TamperHistory { get; set; }

    /// <summary>Changes the answer GET /v1/keys/{address} serves (a lying directory).</summary>
    public Func<KeyAnswer, KeyAnswer>? TamperAnswer { get; set; }

    /// <summary>Changes a tile or entry bundle as served over HTTP (given the honest bytes).</summary>
    public Func<TileId, byte[], byte[]>? TamperTile { get; set; }

    /// <summary>When set, served at /log/checkpoint instead of the honest checkpoint.</summary>
    public SignedNote? CheckpointOverride { get; set; }

    /// <summary>Requests served through the HTTP handler, as paths.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Bodies of POST /v1/keys, answered 202 Accepted and not applied.</summary>
    public List<SubmitRequest> Submissions { get; } = [];

    /// <summary>Admin requests seen: (path, bearer token, body).</summary>
    public List<(string Path, string? Token, CodeRequest Body)> AdminRequests { get; } = [];

    public static byte[] RandomBytes(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    public static Key NewSigningKey() => Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static byte[] Raw(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public (byte[] Label, byte[] Proof) LabelOf(string address) => Label.Compute(Vrf, address);

    /// <summary>
    /// Version 1 of <paramref name="address"/>, signed by <paramref name="key"/>; with
    /// <paramref name="openPgpCertificate"/> the signet commits to it (field 0x09) and answers carry it.
    /// </summary>
    public Signet Publish(string address, Key key, byte[]? openPgpCertificate = null)
    {
        var unsigned = new SignetBuilder
        {
            Address = Address.Parse(address),
            Version = 1,
            Created = (ulong)Now.ToUnixTimeSeconds() - 60,
            Expires = (ulong)Now.ToUnixTimeSeconds() + 86400,
            SigningKey = Raw(key),
            EncryptionKey = RandomBytes(32),
            OpenPgp = openPgpCertificate is null ? null : DarkMail.Directory.OpenPgp.OpenPgpCertificate.Commitment(openPgpCertificate),
        }.Build().SignUser(key);
        if (openPgpCertificate is not null)
        {
            certificates[(address, 1u)] = openPgpCertificate;
        }

        return Append(address, unsigned.SignOrg(Pok), LeafEvent.Publish, reset: false);
    }

    /// <summary>The next version with <paramref name="newKey"/>; custody by <paramref name="oldKey"/> unless null (a reset).</summary>
    public Signet Rotate(string address, Key? oldKey, Key newKey, bool revoke = false)
    {
        var current = versions[address][^1].Signet;
        var builder = SignetBuilder.After(current);
        builder.SigningKey = Raw(newKey);
        builder.Created = current.Created + 1;
        builder.Expires = current.Expires + 1;
        builder.Revoked = revoke;
        var unsigned = builder.Build();
        var label = LabelOf(address).Label;
        if (oldKey is not null)
        {
            unsigned = unsigned.SignCustody(oldKey, label);
        }

        var signet = unsigned.SignUser(newKey).SignOrg(Pok);
        var @event = revoke ? LeafEvent.Revoke : oldKey is null ? LeafEvent.Reset : LeafEvent.Rotate;
        return Append(address, signet, @event, reset: oldKey is null);
    }

    /// <summary>Adds an unrelated leaf, so trees grow between answers.</summary>
    public void AddNoise()
    {
        var key = NewSigningKey();
        var leaf = new LogLeaf(LeafEvent.Publish, 1, RandomBytes(32), 1, Raw(key), RandomBytes(32));
        AppendLeaf(leaf.Encode());
    }

    public SignedNote CheckpointNote(long? size = null)
    {
        var n = size ?? tree.Size;
        var claims = new CheckpointClaims(MapAt(n).Root, CheckpointTime.ToUnixTimeSeconds());
        var note = claims.ToCheckpoint(DomainName + "/dmd", n, n == 0 ? Rfc6962.EmptyRoot : MerkleProver.Root(tree, n)).Sign(LogSigner);
        return Cosigners.Count == 0 ? note : note.WithSignatures(Cosigners.Select(c => c.Witness.Sign(note.Text, c.Time.ToUnixTimeSeconds())));
    }

    /// <summary>This directory's descriptor, trusted as a client trusts it on first use at <see cref="Now"/>.</summary>
    public TrustedDirectory Trust() =>
        TrustedDirectory.Establish(Descriptor, Url.AbsoluteUri, DomainName, null, new ClientState(), Now).Directory!;

    /// <summary>The label map of entries [0, size), recomputed (spec/map.md §5).</summary>
    public LabelMap MapAt(long size) =>
        LabelMap.Empty.ApplyLeaves(0, [.. entries.Take((int)size).Select(e => (ReadOnlyMemory<byte>)e)]);

    /// <summary>The 404 member proving that <paramref name="address"/> has no entry in the map of the tree of <paramref name="size"/>.</summary>
    public AbsenceProof Absence(string address, long? size = null)
    {
        var n = size ?? tree.Size;
        var (label, vrfProof) = LabelOf(address);
        return new AbsenceProof(address, label, vrfProof, MapAt(n).Prove(label).Encode(), CheckpointNote(n).ToString());
    }

    /// <summary>
    /// The only "proof" of absence a lying provider can give for a published address: a
    /// checkpoint over the real tree whose map leaves the address's leaves out, signed by the log
    /// key, and the absence proof in that map. The map is then not the log's (spec/map.md §6).
    /// </summary>
    public AbsenceProof ForgedAbsence(string address)
    {
        var n = tree.Size;
        var (label, vrfProof) = LabelOf(address);
        var map = LabelMap.Empty.ApplyLeaves(0, [.. entries.Select(e => e.AsSpan(10, 32).SequenceEqual(label) ? ReadOnlyMemory<byte>.Empty : (ReadOnlyMemory<byte>)e)]);
        var note = new CheckpointClaims(map.Root, CheckpointTime.ToUnixTimeSeconds()).ToCheckpoint(DomainName + "/dmd", n, MerkleProver.Root(tree, n)).Sign(LogSigner);
        return new AbsenceProof(address, label, vrfProof, map.Prove(label).Encode(), note.ToString());
    }

    /// <summary>The key answer for a version (latest by default) with a proof in the tree of <paramref name="size"/> (current by default).</summary>
    public KeyAnswer Answer(string address, uint? version = null, long? size = null)
    {
        var list = versions[address];
        var v = version is null ? list[^1] : list.Single(x => x.Signet.Version == version);
        var n = size ?? tree.Size;
        var (label, vrfProof) = LabelOf(address);
        var extra = ProofExtra.Encode(v.Signet.Encoded, vrfProof);
        var proof = new TlogProof(v.Index, MerkleProver.InclusionProof(tree, v.Index, n), CheckpointNote(n), extra);
        uint? lastReset = list.Where(x => x.Reset && x.Signet.Version <= v.Signet.Version).Select(x => (uint?)x.Signet.Version).LastOrDefault();
        var s = v.Signet;
        return new KeyAnswer(
            address,
            s.IsRevoked ? KeyStatus.Revoked : KeyStatus.Active,
            lastReset,
            s.ToArray(),
            new SignetView(s.Version, DateTimeOffset.FromUnixTimeSeconds((long)s.Created), DateTimeOffset.FromUnixTimeSeconds((long)s.Expires),
                s.SigningKey.ToArray(), s.EncryptionKey.ToArray(), s.Version == 1 ? null : s.PreviousHash.ToArray(), s.IsRevoked, s.HasCustodySignature),
            label,
            vrfProof,
            v.Index,
            entries[(int)v.Index],
            proof.ToString(),
            MapAt(n).Prove(label).Encode(),
            certificates.GetValueOrDefault((address, s.Version)));
    }

    /// <summary>Every version, oldest first, proven against the current tree; only the latest carries a map proof (spec/api.md).</summary>
    public KeyHistory History(string address) =>
        new(address, [.. versions[address].Select(v => Answer(address, v.Signet.Version) with { MapProof = v == versions[address][^1] ? Answer(address).MapProof : null })]);

    public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        var result = new ReadOnlyMemory<byte>[tiles.Count];
        for (var i = 0; i < tiles.Count; i++)
        {
            result[i] = Tile(tiles[i]);
        }

        return ValueTask.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(result);
    }

    public byte[] Tile(TileId tile)
    {
        if (tile.IsEntryBundle)
        {
            var start = (int)tile.StartLeaf;
            return EntryBundle.Encode(entries.GetRange(start, tile.Width));
        }

        return TileHashes.Build(tree, tile);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        lock (Requests)
        {
            // Tiles are fetched in parallel (and ahead, by the audit).
            Requests.Add(path);
        }

        HttpResponseMessage response;
        if (request.Method == HttpMethod.Post)
        {
            response = Post(path, request);
        }
        else if (path == "/.well-known/dx-directory")
        {
            response = Bytes(Descriptor.ToUtf8Json(), "application/json");
        }
        else if (path == "/log/checkpoint")
        {
            response = Bytes((CheckpointOverride ?? CheckpointNote()).Format(), "text/plain");
        }
        else if (path.StartsWith("/log/", StringComparison.Ordinal) && TilePath.TryParse(path.AsSpan(5), out var tile))
        {
            response = Bytes(TamperTile is null ? Tile(tile) : TamperTile(tile, Tile(tile)), "application/octet-stream");
        }
        else if (path == "/v1/configuration")
        {
            var answer = ConfigurationAnswer();
            answer = TamperConfiguration is null ? answer : TamperConfiguration(answer);
            response = answer is null ? Problem(404, "not-found") : Bytes(JsonSerializer.SerializeToUtf8Bytes(answer, ApiJson.Options), "application/json");
        }
        else if (path.StartsWith("/v1/keys/", StringComparison.Ordinal))
        {
            var rest = Uri.UnescapeDataString(path["/v1/keys/".Length..]);
            var history = rest.EndsWith("/history", StringComparison.Ordinal);
            var address = history ? rest[..^"/history".Length] : rest;
            if (!versions.ContainsKey(address) || Hidden.Contains(address))
            {
                var absence = Absence(address);
                absence = TamperAbsence is null ? absence : TamperAbsence(absence);
                response = absence is null ? Problem(404, "not-found") : AbsenceProblem(absence);
            }
            else
            {
                response = Bytes(history ? JsonSerializer.SerializeToUtf8Bytes(TamperHistory is null ? History(address) : TamperHistory(History(address)), ApiJson.Options) : JsonSerializer.SerializeToUtf8Bytes(TamperAnswer is null ? Answer(address) : TamperAnswer(Answer(address)), ApiJson.Options), "application/json");
            }
        }
        else
        {
            response = Problem(404, "not-found");
        }

        response.RequestMessage = request;
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            LogSigner.Dispose();
            Vrf.Dispose();
        }

        base.Dispose(disposing);
    }

    private HttpResponseMessage Post(string path, HttpRequestMessage request)
    {
        var body = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        if (path == "/v1/keys")
        {
            var submission = JsonSerializer.Deserialize<SubmitRequest>(body, ApiJson.Options)!;
            Submissions.Add(submission);
            var unsigned = UnsignedSignet.Decode(submission.Signet);
            var accepted = new SubmitAccepted(unsigned.Address.ToString(), unsigned.Version, "pending");
            var response = Bytes(JsonSerializer.SerializeToUtf8Bytes(accepted, ApiJson.Options), "application/json");
            response.StatusCode = HttpStatusCode.Accepted;
            return response;
        }

        if (path is "/v1/admin/enrollments" or "/v1/admin/resets")
        {
            var code = JsonSerializer.Deserialize<CodeRequest>(body, ApiJson.Options)!;
            AdminRequests.Add((path, request.Headers.Authorization?.Parameter, code));
            var answer = new CodeAnswer(code.Address, path.EndsWith("resets", StringComparison.Ordinal) ? "RESET-CODE" : "ENROLL-CODE", Now.AddHours(1));
            var response = Bytes(JsonSerializer.SerializeToUtf8Bytes(answer, ApiJson.Options), "application/json");
            response.StatusCode = HttpStatusCode.Created;
            return response;
        }

        return Problem(404, "not-found");
    }

    private static HttpResponseMessage Bytes(byte[] body, string type)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return response;
    }

    public static HttpResponseMessage Problem(int status, string name, string? code = null)
    {
        var json = $"{{\"type\":\"{DirectoryProblemException.TypePrefix}{name}\",\"title\":\"{name}\",\"status\":{status},\"detail\":\"{name} detail\"{(code is null ? string.Empty : $",\"code\":\"{code}\"")}}}";
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/problem+json");
        return response;
    }

    /// <summary>A 404 with an absence member, as spec/api.md lays it out.</summary>
    public static HttpResponseMessage AbsenceProblem(AbsenceProof absence)
    {
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = DirectoryProblemException.TypePrefix + "not-found",
            ["title"] = "Not found",
            ["status"] = 404,
            ["detail"] = "no key",
            ["absence"] = JsonSerializer.SerializeToNode(absence, ApiJson.Options),
        };
        var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json.ToJsonString())) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/problem+json");
        return response;
    }

    private Signet Append(string address, Signet signet, LeafEvent @event, bool reset)
    {
        var label = LabelOf(address).Label;
        var leaf = new LogLeaf(@event, 1, label, signet.Version, signet.SigningKey, signet.BodyHash, signet.HasCustodySignature ? signet.CustodySignature : default);
        var index = AppendLeaf(leaf.Encode());
        if (!versions.TryGetValue(address, out var list))
        {
            versions[address] = list = [];
        }

        list.Add(new Version(signet, index, reset));
        return signet;
    }

    private long AppendLeaf(byte[] leaf)
    {
        entries.Add(leaf);
        tree.Append(Rfc6962.HashLeaf(leaf));
        return tree.Size - 1;
    }

    private sealed record Version(Signet Signet, long Index, bool Reset);
}

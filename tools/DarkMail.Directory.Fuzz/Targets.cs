// spec/fuzzing.md "Targets": one per parser that takes outside bytes, each at the public
// entry point the server or client calls, with that parser's own refusal as the only
// accepted failure. Inputs are bytes; where the parser takes text, the bytes are read as
// the transport would give them (UTF-8, or UTF-16 code units for JSON strings).
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Server.Endpoints;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;
using DarkMail.Directory.Transparency.Witness;
using Microsoft.AspNetCore.Http;

namespace DarkMail.Directory.Fuzz;

public static class Targets
{
    /// <summary>An address input that starts with this byte is read as raw UTF-16 code units (lone surrogates included), as a JSON string can carry them.</summary>
    public const byte Utf16Marker = 0xFE;

    private static readonly byte[] Pok = Convert.FromHexString("c7a2b83727d3c268b77e268d26d88e8258e66de30ee77e17695baf79c113723d");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_345_600);

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("signet", "Signet.Decode, UnsignedSignet.Decode, Signet.Dearmor", Signet, SignetSeeds),
        new("leaf", "LogLeaf.Decode", Leaf, LeafSeeds),
        new("signed-note", "SignedNote.Parse", SignedNoteTarget, NoteSeeds),
        new("checkpoint", "Checkpoint.Parse, CheckpointClaims.Read", CheckpointTarget, CheckpointSeeds),
        new("tlog-proof", "TlogProof.Parse, ProofExtra.Decode", TlogProofTarget, TlogProofSeeds),
        new("tile-path", "TilePath.Parse", TilePathTarget, TilePathSeeds),
        new("witness-request", "AddCheckpointRequest.Parse", WitnessRequest, WitnessRequestSeeds),
        new("dx-record", "DxRecord.Parse (TXT character-strings), DxAnswer.Select", DxRecordTarget, DxRecordSeeds),
        new("descriptor", "Descriptor.Parse, DescriptorPayload.Parse", DescriptorTarget, DescriptorSeeds),
        new("address", "Address.Parse", AddressTarget, AddressSeeds),
        new("submit-json", "RequestBody.ReadJsonAsync<SubmitRequest>, SubmissionRules (stateless checks)", SubmitJson, SubmitJsonSeeds),

        // Beyond the issue's list: the other parsers a remote directory's or witness's bytes reach.
        new("entry-bundle", "EntryBundle.Decode, EntryBundle.HashEntries", EntryBundleTarget, EntryBundleSeeds),
        new("map-proof", "MapProof.Decode, VerifyLatest, VerifyAbsent", MapProofTarget, MapProofSeeds),
        new("witness-response", "AddCheckpointResponse.Parse", WitnessResponse, WitnessResponseSeeds),
        new("config-entry", "ConfigurationEntry.Decode", ConfigEntry, ConfigEntrySeeds),
        new("openpgp-certificate", "OpenPgpCheck.CheckStructure", OpenPgpCertificateTarget, OpenPgpCertificateSeeds),
    ];

    /// <summary>The targets of the parsers issue 9 names; the rest are the other parsers of remote bytes.</summary>
    public static IReadOnlyList<string> IssueTargets { get; } =
        ["signet", "leaf", "signed-note", "checkpoint", "tlog-proof", "tile-path", "witness-request", "dx-record", "descriptor", "address", "submit-json"];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    // --- signet ---------------------------------------------------------------------------

    private static void Signet(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => Core.Signets.Signet.Decode(input));
        Check.Agree(Core.Signets.Signet.TryDecode(input, out var signet, out _), accepted, "Signet");
        if (signet is not null)
        {
            Check.SameBytes(input, signet.Encoded, "Signet");
            Touch(signet);
            _ = signet.VerifyOrg(NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Pok, NSec.Cryptography.KeyBlobFormat.RawPublicKey));
            Check.That(Core.Signets.Signet.Dearmor(signet.Armor()).Encoded.SequenceEqual(input), "Signet: armor does not round-trip.");
        }

        accepted = Check.Accepts<InvalidFormatException>(() => UnsignedSignet.Decode(input));
        Check.Agree(UnsignedSignet.TryDecode(input, out var unsigned, out _), accepted, "UnsignedSignet");
        if (unsigned is not null)
        {
            Check.SameBytes(input, unsigned.Encoded, "UnsignedSignet");
            Touch(unsigned);
            _ = unsigned.HasUserSignature ? unsigned.GetOrgMessage() : unsigned.GetUserMessage();
        }

        var text = Encoding.UTF8.GetString(input);
        accepted = Check.Accepts<InvalidFormatException>(() => Core.Signets.Signet.Dearmor(text));
        Check.Agree(Core.Signets.Signet.TryDearmor(text, out _, out _), accepted, "Signet.Dearmor");
    }

    private static void Touch(SignetRecord signet)
    {
        _ = signet.Address.ToString();
        _ = signet.Version + signet.Created + signet.Expires + signet.Flags;
        _ = signet.IsRevoked;
        _ = signet.SigningKey.Length + signet.EncryptionKey.Length + signet.PreviousHash.Length + signet.Body.Length + signet.BodyHash.Length;
        _ = signet.HasCustodySignature ? signet.CustodySignature.Length : 0;
        _ = signet.HasUserSignature ? signet.UserSignature.Length : 0;
        _ = signet.IsValidAt(Now);
        _ = signet.GetCustodyMessage(new byte[32]);
        _ = signet.HasUserSignature && signet.VerifyUser();
    }

    private static IEnumerable<byte[]> SignetSeeds(Vectors v) =>
        v.Hex("signets.json", "valid", "hex")
            .Concat(v.Hex("signets.json", "valid", "submission_hex"))
            .Concat(v.Hex("signets.json", "invalid", "hex"))
            .Concat(v.Hex("signets.json", "signature_failures", "hex"))
            .Concat(v.Strings("signets.json", "valid", "armor").Select(Vectors.Utf8))
            .Concat(v.Strings("signets.json", "armor_invalid", "armor").Select(Vectors.Utf8))
            .Concat(v.Hex("submissions.json", "cases", "signet_hex"));

    // --- leaf -----------------------------------------------------------------------------

    private static void Leaf(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => LogLeaf.Decode(input));
        Check.Agree(LogLeaf.TryDecode(input, out var leaf, out _), accepted, "LogLeaf");
        if (leaf is not null)
        {
            Check.SameBytes(input, leaf.Encode(), "LogLeaf");
            _ = leaf.ToString();
            _ = leaf.LeafHash();
            _ = leaf.CustodyMessage();
            _ = leaf.Event;
            _ = leaf.Timestamp + leaf.Version;
            _ = leaf.Label.Length + leaf.SigningKey.Length + leaf.BodyHash.Length + leaf.CustodySignature.Length;
            _ = leaf.VerifyCustody(leaf.SigningKey.Span);
        }
    }

    private static IEnumerable<byte[]> LeafSeeds(Vectors v) =>
        v.Hex("leaves.json", "valid", "leaf")
            .Concat(v.Hex("leaves.json", "invalid", "leaf"))
            .Concat(v.Items("leaf-chains.json", "chains").SelectMany(c => HexMembers(c["leaves"], "leaf")))
            .Concat(v.Items("map.json", "derivation").SelectMany(c => HexMembers(c["leaves"], "leaf")));

    // --- signed note and checkpoint -------------------------------------------------------

    private static void SignedNoteTarget(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => SignedNote.Parse(input));
        Check.Agree(SignedNote.TryParse(input, out var note), accepted, "SignedNote");
        if (note is not null)
        {
            Check.SameBytes(input, note.Format(), "SignedNote");
            _ = note.Verify(Fixed.NoteKeys).IsValid;
            foreach (var signature in note.Signatures)
            {
                _ = signature.ToString();
            }
        }
    }

    private static IEnumerable<byte[]> NoteSeeds(Vectors v) => Notes(v).Select(Vectors.Utf8);

    private static IEnumerable<string> Notes(Vectors v) =>
        v.Strings("signed-note.json", "checkpoints", "note")
            .Concat(new[]
            {
                v.Json("signed-note.json")?["cosignature"]?["cosigned_checkpoint"]?.GetValue<string>(),
                v.Root("signed-note.json", "note_signed_by_log_and_witness"),
            }.OfType<string>());

    private static void CheckpointTarget(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => Checkpoint.Parse(input));
        Check.Agree(Checkpoint.TryParse(input, out var checkpoint), accepted, "Checkpoint");
        if (checkpoint is not null)
        {
            Check.SameBytes(input, checkpoint.Format(), "Checkpoint");
            accepted = Check.Accepts<InvalidFormatException>(() => CheckpointClaims.Read(checkpoint));
            Check.Agree(CheckpointClaims.TryRead(checkpoint, out var claims, out _), accepted, "CheckpointClaims");
            if (claims is not null)
            {
                _ = claims.Time;
                Check.That(CheckpointClaims.Read(claims.ToCheckpoint(checkpoint.Origin, checkpoint.Size, checkpoint.RootHash)).TimeSeconds == claims.TimeSeconds, "CheckpointClaims: does not round-trip.");
            }
        }
    }

    private static IEnumerable<byte[]> CheckpointSeeds(Vectors v) =>
        Notes(v).Select(note => Vectors.Utf8(note[..(note.IndexOf("\n\n", StringComparison.Ordinal) + 1)]))
            .Concat(TimedCheckpoints());

    // The directory's own checkpoints carry the dmd-map and dmd-time claims (spec/notes-and-checkpoints.md).
    private static IEnumerable<byte[]> TimedCheckpoints()
    {
        var claims = new CheckpointClaims(new byte[32], 1_790_345_600);
        yield return claims.ToCheckpoint("example.org/dmd", 7, new byte[32]).Format();
        yield return new CheckpointClaims(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), CheckpointClaims.MaxSeconds)
            .ToCheckpoint("example.org/dmd", long.MaxValue, new byte[32]).Format();
    }

    // --- tlog-proof -----------------------------------------------------------------------

    private static void TlogProofTarget(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => TlogProof.Parse(input));
        Check.Agree(TlogProof.TryParse(input, out var proof), accepted, "TlogProof");
        if (proof is not null)
        {
            Check.SameBytes(input, proof.Format(), "TlogProof");
            _ = proof.Verify(Fixed.NoteKeys[0], proof.Checkpoint.Origin, new byte[32], WitnessPolicy.None);
            if (proof.HasExtra)
            {
                var extra = proof.Extra.ToArray();
                accepted = Check.Accepts<InvalidFormatException>(() => ProofExtra.Decode(extra));
                Check.Agree(ProofExtra.TryDecode(extra, out var decoded, out _), accepted, "ProofExtra");
                if (decoded is not null)
                {
                    Check.SameBytes(extra, ProofExtra.Encode(decoded.Signet, decoded.VrfProof), "ProofExtra");
                }
            }
        }
    }

    // spec/log-tiles.md: "c2sp.org/tlog-proof@v1", optional "extra", "index N", the audit path, a blank line, the note.
    private static IEnumerable<byte[]> TlogProofSeeds(Vectors v)
    {
        var signet = v.Hex("signets.json", "valid", "hex").FirstOrDefault();
        var vrfProof = Convert.FromHexString(v.Root("signets.json", "vrf_proof_hex") ?? string.Empty);
        var extra = signet is not null && vrfProof.Length == ProofExtra.VrfProofSize ? ProofExtra.Encode(signet, vrfProof) : null;
        foreach (var (size, note) in SizedNotes(v))
        {
            foreach (var item in v.Items("merkle.json", "inclusion_proofs").Where(p => (long?)p["tree_size"] == size))
            {
                var text = new StringBuilder("c2sp.org/tlog-proof@v1\n");
                if (extra is not null && (long?)item["leaf_index"] % 2 == 0)
                {
                    text.Append("extra ").Append(Convert.ToBase64String(extra)).Append('\n');
                }

                text.Append("index ").Append((long?)item["leaf_index"]).Append('\n');
                AppendLines(text, item["audit_path_b64"]);
                yield return Vectors.Utf8(text.Append('\n').Append(note).ToString());
            }
        }
    }

    private static IEnumerable<(long Size, string Note)> SizedNotes(Vectors v) =>
        v.Items("signed-note.json", "checkpoints")
            .Select(c => ((long?)c["tree_size"] ?? -1, (string?)c["note"] ?? string.Empty));

    private static void AppendLines(StringBuilder text, JsonNode? lines)
    {
        foreach (var line in lines?.AsArray().Select(l => (string?)l).OfType<string>() ?? [])
        {
            text.Append(line).Append('\n');
        }
    }

    // --- tile path ------------------------------------------------------------------------

    private static void TilePathTarget(byte[] input)
    {
        var path = Encoding.UTF8.GetString(input);
        var accepted = Check.Accepts<InvalidFormatException>(() => TilePath.Parse(path));
        Check.Agree(TilePath.TryParse(path, out var tile), accepted, "TilePath");
        if (accepted)
        {
            Check.That(TilePath.Format(tile) == path, "TilePath: accepted a path that is not the tile's one path.");
            _ = tile.StartLeaf + tile.HashLevel + tile.HashTileLength;
        }
    }

    private static IEnumerable<byte[]> TilePathSeeds(Vectors v)
    {
        var sizes = v.Items("merkle.json", "roots").Select(r => (long?)r["tree_size"] ?? 0).Concat([256L, 65_536, 1_234_067 * 256L]);
        return v.CodeSpans("tile/").Concat(v.CodeSpans("/tile/"))
            .Concat(sizes.SelectMany(s => TileLayout.HashTiles(s).Concat(TileLayout.EntryBundles(s)).TakeLast(8)).Select(TilePath.Format))
            .Distinct(StringComparer.Ordinal)
            .Select(Vectors.Utf8);
    }

    // --- witness request (tlog-witness add-checkpoint) -------------------------------------

    private static void WitnessRequest(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => AddCheckpointRequest.Parse(input));
        Check.Agree(AddCheckpointRequest.TryParse(input, out var request), accepted, "AddCheckpointRequest");
        if (request is not null)
        {
            Check.SameBytes(input, request.Format(), "AddCheckpointRequest");
            _ = request.Note.Verify(Fixed.NoteKeys).IsValid;
            _ = request.OldSize <= request.Checkpoint.Size
                && Transparency.Merkle.MerkleProof.VerifyConsistency(request.OldSize, request.Checkpoint.Size, request.ConsistencyProof, new byte[32], request.Checkpoint.RootHash);
        }
    }

    private static IEnumerable<byte[]> WitnessRequestSeeds(Vectors v)
    {
        foreach (var (size, note) in SizedNotes(v))
        {
            foreach (var item in v.Items("merkle.json", "consistency_proofs").Where(p => (long?)p["new_size"] == size))
            {
                var text = new StringBuilder("old ").Append((long?)item["old_size"]).Append('\n');
                AppendLines(text, item["proof_b64"]);
                yield return Vectors.Utf8(text.Append('\n').Append(note).ToString());
            }

            yield return Vectors.Utf8("old 0\n\n" + note);
        }
    }

    // --- _dx record -----------------------------------------------------------------------

    // The input is a TXT RR's RDATA as DNS carries it: character-strings, each a length byte
    // and that many bytes (RFC 1035 §3.3.14), decoded as the resolver library gives them.
    private static void DxRecordTarget(byte[] input)
    {
        var strings = TxtStrings(input);
        var accepted = Check.Accepts<InvalidFormatException>(() => DxRecord.Parse(strings));
        Check.Agree(DxRecord.TryParse(strings, out var record, out _), accepted, "DxRecord");
        if (record is not null)
        {
            var text = record.Format();
            Check.That(string.Concat(record.FormatStrings()) == text, "DxRecord: FormatStrings does not join to Format.");
            Check.That(DxRecord.Parse(record.FormatStrings()).Format() == text, "DxRecord: the canonical form does not round-trip.");
        }

        var joined = string.Concat(strings);
        Check.Agree(DxRecord.TryParse(joined, out _, out _), Check.Accepts<InvalidFormatException>(() => DxRecord.Parse(joined)), "DxRecord (joined)");
        var outcome = DxAnswer.Select([strings]);
        Check.That(outcome.Record is not null == accepted || !DxAnswer.HasVersionPair(joined), "DxAnswer.Select disagrees with DxRecord.Parse.");
    }

    public static IReadOnlyList<string> TxtStrings(ReadOnlySpan<byte> rdata)
    {
        var strings = new List<string>();
        while (!rdata.IsEmpty)
        {
            var length = Math.Min(rdata[0], rdata.Length - 1);
            strings.Add(Encoding.UTF8.GetString(rdata.Slice(1, length)));
            rdata = rdata[(1 + length)..];
        }

        return strings;
    }

    public static byte[] TxtRdata(IEnumerable<string> strings)
    {
        var output = new List<byte>();
        foreach (var s in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            foreach (var chunk in bytes.Chunk(255))
            {
                output.Add((byte)chunk.Length);
                output.AddRange(chunk);
            }
        }

        return [.. output];
    }

    private static IEnumerable<byte[]> DxRecordSeeds(Vectors v) =>
        v.Items("dx-records.json", "valid").Concat(v.Items("dx-records.json", "invalid"))
            .Select(item => item["txt"]?.AsArray().Select(s => (string?)s).OfType<string>())
            .OfType<IEnumerable<string>>()
            .Select(TxtRdata);

    // --- descriptor -----------------------------------------------------------------------

    private static void DescriptorTarget(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => Descriptor.Parse(input));
        Check.Agree(Descriptor.TryParse(input, out var descriptor), accepted, "Descriptor");
        if (descriptor is not null)
        {
            _ = descriptor.Verify([Pok], descriptor.Payload.Domain, Now).Code;
            Check.That(Descriptor.TryParse(descriptor.ToUtf8Json(), out _), "Descriptor: its own wire form does not parse.");
        }

        accepted = Check.Accepts<InvalidFormatException>(() => DescriptorPayload.Parse(input));
        Check.Agree(DescriptorPayload.TryParse(input, out var payload), accepted, "DescriptorPayload");
        if (payload is not null)
        {
            _ = payload.LogOrigin + payload.WitnessPolicy + payload.Limits + payload.Issued + payload.Expires;
            Check.That(DescriptorPayload.TryParse(payload.ToUtf8Json(), out _), "DescriptorPayload: its own JSON does not parse.");
        }
    }

    private static IEnumerable<byte[]> DescriptorSeeds(Vectors v) =>
        new[] { "valid", "rejected", "invalid" }.SelectMany(a => v.Strings("descriptors.json", a, "descriptor")).Select(Vectors.Utf8)
            .Concat(new[] { v.Root("descriptors.json", "payload_hex") }.OfType<string>().Select(Convert.FromHexString));

    // --- address --------------------------------------------------------------------------

    private static void AddressTarget(byte[] input)
    {
        var text = input is [Utf16Marker, ..]
            ? new string(MemoryMarshal.Cast<byte, char>(input.AsSpan(1, (input.Length - 1) & ~1)))
            : Encoding.UTF8.GetString(input);
        var accepted = Check.Accepts<InvalidFormatException>(() => Address.Parse(text));
        Check.Agree(Address.TryParse(text, out var address, out _), accepted, "Address");
        if (address is not null)
        {
            // Normalisation is idempotent: the normalised form is accepted and unchanged.
            Check.That(Address.TryParse(address.ToString(), out var again, out _) && again == address, "Address: the normalised form does not normalise to itself.");
            Check.That(address.ToString() == address.Local + "@" + address.Domain, "Address: the text is not local@domain.");
        }
    }

    private static IEnumerable<byte[]> AddressSeeds(Vectors v)
    {
        var inputs = v.Hex("addresses.json", "valid", "input_utf8_hex").Concat(v.Hex("addresses.json", "invalid", "input_utf8_hex")).ToList();
        return inputs.Concat(inputs.Take(8).Select(bytes => (byte[])[Utf16Marker, .. MemoryMarshal.AsBytes(Encoding.UTF8.GetString(bytes).AsSpan())]))
            .Append([Utf16Marker, 0x61, 0x00, 0x00, 0xD8, 0x40, 0x00, 0x62, 0x00]);
    }

    // --- submit JSON (POST /v1/keys body) --------------------------------------------------

    private static void SubmitJson(byte[] input)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(input, writable: false);
        context.Request.ContentLength = input.Length;
        var (body, problem) = RequestBody.ReadJsonAsync<SubmitRequest>(context.Request, Fixed.ServerDefaults.MaxRequestBytes, CancellationToken.None).GetAwaiter().GetResult();
        Check.That(body is null != problem is null, "RequestBody: neither a value nor a problem, or both.");
        if (problem is not null)
        {
            Check.That(problem.StatusCode is 400 or 413, $"RequestBody: a refused body answered {problem.StatusCode}.");
            return;
        }

        // Submissions.SubmitAsync's stateless steps, in its order.
        if (body!.Signet is null || body.Signet.Length > Fixed.ServerDefaults.MaxSignetBytes || !SubmissionRules.TryDecode(body.Signet, out var signet, out _))
        {
            return;
        }

        if (!SubmissionRules.CheckDomain(signet, "example.org").IsRefused)
        {
            _ = SubmissionRules.CheckSignatureAndTimes(signet, Now, Fixed.ServerDefaults.MaxClockSkew).IsRefused;
        }
    }

    private static IEnumerable<byte[]> SubmitJsonSeeds(Vectors v)
    {
        var signets = v.Hex("submissions.json", "cases", "signet_hex").Concat(v.Hex("signets.json", "valid", "submission_hex")).ToList();
        var index = 0;
        foreach (var signet in signets)
        {
            var code = index++ % 3 == 0 ? ",\"code\":\"ENROL-1234-abcd\"" : string.Empty;
            yield return Vectors.Utf8($"{{\"signet\":\"{Convert.ToBase64String(signet)}\"{code}}}");
        }

        yield return Vectors.Utf8("{\"signet\":null}");
        yield return Vectors.Utf8("{\"code\":\"\",\"signet\":\"RE0=\",\"extra\":[1,{\"a\":true}]}");
        yield return Vectors.Utf8("[]");
    }

    private static IEnumerable<byte[]> HexMembers(JsonNode? array, string member) =>
        array?.AsArray().Select(item => (string?)item?[member]).OfType<string>().Select(Convert.FromHexString) ?? [];

    // --- entry bundle (tlog-tiles), map proof, witness response, configuration entry ----------

    // The first byte is the entry count the reader expects (1 to 256, as a tile's width), the rest the bundle.
    private static void EntryBundleTarget(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var count = input[0] + 1;
        var bundle = input.AsSpan(1).ToArray();
        var accepted = Check.Accepts<InvalidFormatException>(() => EntryBundle.Decode(bundle, count));
        Check.Agree(EntryBundle.TryDecode(bundle, count, out var entries), accepted, "EntryBundle");
        Check.Agree(accepted, Check.Accepts<InvalidFormatException>(() => EntryBundle.HashEntries(bundle, count, new byte[count * 32])), "EntryBundle.HashEntries");
        if (entries is not null)
        {
            Check.SameBytes(bundle, EntryBundle.Encode(entries), "EntryBundle");
        }
    }

    private static IEnumerable<byte[]> EntryBundleSeeds(Vectors v)
    {
        var leaves = LeafSeeds(v).Where(l => l.Length > 0).ToList();
        foreach (var count in new[] { 1, 2, 3, 8, 17, 64, 256 })
        {
            var entries = Enumerable.Range(0, count).Select(i => leaves.Count == 0 ? [(byte)i] : leaves[i % leaves.Count]).ToList();
            yield return [(byte)(count - 1), .. EntryBundle.Encode(entries)];
        }
    }

    private static void MapProofTarget(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => MapProof.Decode(input));
        Check.Agree(MapProof.TryDecode(input, out var proof, out _), accepted, "MapProof");
        if (proof is not null)
        {
            Check.SameBytes(input, proof.Encode(), "MapProof");
            var label = new byte[32];
            _ = proof.VerifyAbsent(new byte[32], label);
            _ = proof.VerifyLatest(new byte[32], proof.Other ?? new MapEntry(label, 1, 0, new byte[32]));
            _ = proof.ToString();
        }
    }

    private static IEnumerable<byte[]> MapProofSeeds(Vectors v) =>
        v.Items("map.json", "maps").SelectMany(m => HexMembers(m["proofs"], "proof"))
            .Concat(v.Hex("map.json", "invalid", "proof"));

    private static void WitnessResponse(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => AddCheckpointResponse.Parse(input));
        Check.Agree(AddCheckpointResponse.TryParse(input, out var response), accepted, "AddCheckpointResponse");
        if (response is not null)
        {
            Check.SameBytes(input, response.Format(), "AddCheckpointResponse");
        }
    }

    // A witness answers its cosignature lines: the signature lines of the vectors' cosigned notes.
    private static IEnumerable<byte[]> WitnessResponseSeeds(Vectors v) =>
        Notes(v).Select(note => note[(note.IndexOf("\n\n", StringComparison.Ordinal) + 2)..])
            .SelectMany(block => new[] { block, string.Concat(block.Split('\n').Skip(1).Select(line => line.Length > 0 ? line + "\n" : string.Empty)) })
            .Where(block => block.Length > 0)
            .Select(Vectors.Utf8);

    private static void ConfigEntry(byte[] input)
    {
        var accepted = Check.Accepts<InvalidFormatException>(() => ConfigurationEntry.Decode(input));
        Check.Agree(ConfigurationEntry.TryDecode(input, out var entry, out _), accepted, "ConfigurationEntry");
        if (entry is not null)
        {
            Check.SameBytes(input, entry.Encode(), "ConfigurationEntry");
            _ = entry.Poks.Count + entry.VrfKey.Length + entry.LogKey.Length + entry.WitnessKey.Length + entry.Number;
            _ = entry.Timestamp;
            Check.That(entry.SameKeys(entry), "ConfigurationEntry: not the same keys as itself.");
        }
    }

    // spec/configuration.md: built from the vectors' keys, one to eight POKs.
    private static IEnumerable<byte[]> ConfigEntrySeeds(Vectors v)
    {
        var keys = new[] { "pok_hex", "vrf_public_key_hex" }.Select(m => v.Root("signets.json", m)).OfType<string>().Select(Convert.FromHexString)
            .Concat(v.Hex("signets.json", "valid", "signing_key_hex")).Concat(v.Hex("signets.json", "valid", "encryption_key_hex"))
            .Where(k => k.Length == 32).DistinctBy(Convert.ToHexString).ToList();
        if (keys.Count < 4)
        {
            yield break;
        }

        foreach (var poks in new[] { 1, 2, 3, Math.Min(8, keys.Count - 3) }.Distinct())
        {
            yield return new ConfigurationEntry(1_767_225_600_000, (uint)poks, [.. keys.Take(poks).Select(k => (ReadOnlyMemory<byte>)k)], keys[^3], keys[^2], keys[^1]).Encode();
        }

        yield return [ConfigurationEntry.EntryType, ConfigurationEntry.FormatVersion];
    }

    // Fixed keys the accepted inputs are checked against (the shared vectors' log and witness
    // keys) and the server's default limits. In a class of their own: an instrumented
    // assembly's code must not run before SharpFuzz's loop has set up the coverage map, and
    // this is built on first use, inside the loop, not when the target list is read.
    private static class Fixed
    {
        public static readonly NoteVerifier[] NoteKeys =
        [
            VerifierKey.Parse("example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs"),
            VerifierKey.Parse("witness.example.test+e7433d50+AfBQP1SAKIPLjegAXPdPMiIfd9/xjkzLvUZfkO0pk5vZ"),
        ];

        public static readonly DirectoryOptions ServerDefaults = new();
    }

    // --- openpgp-certificate (spec/openpgp.md §3) ---------------------------------------------

    private const string OpenPgpAddress = "alice@example.org";

    // The certificate a submission carries: checked for the vectors' address, as a current and
    // as a revoked signet's. The check answers with a code and never throws; an accepted
    // certificate has a 20-byte fingerprint, is within the size limit, and the same bytes get
    // the same verdict again.
    private static void OpenPgpCertificateTarget(byte[] input)
    {
        foreach (var revoked in new[] { false, true })
        {
            var result = OpenPgpCheck.CheckStructure(input, OpenPgpAddress, revoked);
            var again = OpenPgpCheck.CheckStructure(input, OpenPgpAddress, revoked);
            Check.That(result.Code == again.Code, "OpenPgpCheck: two verdicts for the same bytes.");
            if (result.IsValid)
            {
                Check.That(result.Fingerprint is { Length: 20 }, "OpenPgpCheck: an accepted certificate without a 20-byte fingerprint.");
                Check.That(input.Length <= OpenPgpCertificate.MaxCertificateBytes, "OpenPgpCheck: accepted a certificate over the size limit.");
            }
            else
            {
                Check.That(result.Code!.StartsWith("openpgp.", StringComparison.Ordinal), $"OpenPgpCheck: refusal code {result.Code} outside openpgp.*.");
            }
        }
    }

    // spec/vectors/openpgp.json: the valid and the revoked certificate, and the refused ones.
    private static IEnumerable<byte[]> OpenPgpCertificateSeeds(Vectors v) =>
        new[] { "certificate_hex", "revoked_certificate_hex" }.Select(m => v.Root("openpgp.json", m)).OfType<string>().Select(Convert.FromHexString)
            .Concat(v.Hex("openpgp.json", "refused_certificates", "certificate_hex"));
}

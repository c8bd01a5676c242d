// What the page verifies, in the order of spec/cli.md §5 (spec/web.md §2): the descriptor
// (§5.1, trusted under its own POKs: the page keeps no state), the logged configuration
// (§5.6: the descriptor's keys must be the log's), a key answer (§5.2 steps 1–7b), an
// absence proof (§5.5 steps 1–3). Each passed check adds one line to `checks`, worded as
// `dmd lookup` prints it; the first failure ends the verification with its verify.* code.
import { equal, fromBase64, fromUtf8, sha256, toBase64, toHex, utf8 } from './bytes.js';
import { ed25519Verify } from './ed25519.js';
import {
  EVENTS, FormatError, configurationMapLabel, decodeConfiguration, decodeExtra, decodeLeaf, decodeMapProof, decodeSignet,
  leafHash, mapVerifyAbsent, mapVerifyLatest, parseNote, parseTlogProof, parseVkey, verifyCheckpointNote, verifyInclusion, verifyOrg, verifyUser,
} from './formats.js';
import { checkLabel } from './vrf.js';
import { sha1 } from '@noble/hashes/legacy.js';

/** spec/cli.md "--max-age" default: the oldest checkpoint a lookup accepts. */
export const MAX_AGE_SECONDS = 86400;
/** KeyVerifier.MaxFutureSkew. */
export const MAX_FUTURE_SECONDS = 600;

export class VerifyError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new VerifyError(code, message);
};

const b64 = (text, what, code) => fromBase64(text) ?? fail(code, `${what} is not canonical base64`);

/** decode(bytes), or the failure `code` with message(the decoder's format code). */
function decoded(decode, bytes, code, message) {
  try {
    return decode(bytes);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return fail(code, message(e.code));
  }
}
const levels = (depth) => (depth === 1 ? '1 level' : `${depth} levels`);
const iso = (seconds) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');

function whole(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Address normalisation for the comparison of steps 1 (addresses.md: NFC, lower-case local part, A-label domain). */
export function normaliseAddress(text) {
  const t = text.trim().normalize('NFC');
  const at = t.lastIndexOf('@');
  if (at <= 0 || at === t.length - 1) return null;
  let domain;
  try {
    domain = new URL(`http://${t.substring(at + 1)}`).hostname;
  } catch {
    return null;
  }
  const local = t.substring(0, at).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return `${local}@${domain.replace(/\.$/, '')}`;
}

/** spec/cli.md §5.1 with the descriptor's own POKs, then descriptor.md §6 checks 1–6. */
export async function trustDescriptor(document, expectedDomain, now, checks) {
  const payloadBytes = fromBase64(document?.payload) ?? fail('verify.descriptor-invalid', 'the descriptor has no canonical base64 payload');
  let payload;
  try {
    payload = JSON.parse(fromUtf8(payloadBytes));
  } catch {
    fail('verify.descriptor-invalid', 'descriptor.payload-json: the payload is not JSON');
  }
  const poks = (payload.poks ?? []).map((p) => fromBase64(p, true));
  if (poks.length === 0 || poks.some((p) => !p || p.length !== 32)) fail('verify.descriptor-invalid', 'descriptor.bad-key: the payload lists no usable POK');
  const message = new Uint8Array([...utf8('dmd/descriptor/v1\n'), ...payloadBytes]);
  let signer = null;
  for (const s of document.signatures ?? []) {
    const pok = fromBase64(s.pok, true);
    if (!pok || !poks.some((p) => equal(p, pok))) continue;
    const sig = fromBase64(s.sig);
    if (!sig || !(await ed25519Verify(pok, message, sig))) fail('verify.descriptor-invalid', 'descriptor.bad-signature: a signature by a listed POK does not verify');
    signer ??= s.pok;
  }
  if (!signer) fail('verify.descriptor-untrusted', 'descriptor.no-trusted-signature: no signature by a POK the descriptor lists');
  if (expectedDomain && payload.domain !== expectedDomain) fail('verify.descriptor-invalid', `descriptor.domain-mismatch: the descriptor is for ${payload.domain}, not ${expectedDomain}`);
  const issued = Date.parse(payload.issued) / 1000;
  const expires = Date.parse(payload.expires) / 1000;
  if (!(issued <= now)) fail('verify.descriptor-invalid', `descriptor.not-yet-valid: issued ${payload.issued}`);
  if (!(now < expires)) fail('verify.descriptor-invalid', `descriptor.expired: expired ${payload.expires}`);
  const logKey = await parseVkey(payload.log?.verifier_key);
  if (!logKey || logKey.type !== 1) fail('verify.descriptor-invalid', 'descriptor.bad-vkey: the log verifier key does not parse');
  if (payload.log.origin !== `${payload.domain}/dmd`) fail('verify.descriptor-invalid', 'descriptor.bad-origin: the log origin is not <domain>/dmd');
  const vrfKey = fromBase64(payload.vrf_public_key, true);
  if (!vrfKey || vrfKey.length !== 32) fail('verify.descriptor-invalid', 'descriptor.bad-key: the VRF key is not 32 bytes');
  const witnessKey = await parseVkey(payload.witness?.cosigner_key);
  const witnesses = [];
  for (const w of payload.witness_policy?.witnesses ?? []) {
    const k = await parseVkey(w);
    if (k) witnesses.push(k);
  }
  checks.push(`descriptor for ${payload.domain} signed by its POK ${signer}, valid until ${payload.expires} (trusted on first use: the page keeps no state)`);
  return { payload, poks, logKey, origin: payload.log.origin, vrfKey, witnessKey, witnesses, domain: payload.domain };
}

/** The claims and freshness of a verified checkpoint (§5.2 step 7a). */
function fresh(checkpoint, now, checks, missingCode) {
  if (!checkpoint.claims) fail(missingCode, 'the checkpoint carries no map root and time (claims.missing)');
  const age = now - checkpoint.claims.time;
  if (age > MAX_AGE_SECONDS) fail('verify.stale', `the checkpoint was signed at ${iso(checkpoint.claims.time)}, ${whole(age)} ago, more than the maximum age ${whole(MAX_AGE_SECONDS)}`);
  if (-age > MAX_FUTURE_SECONDS) fail('verify.stale', `the checkpoint claims a time in the future (${iso(checkpoint.claims.time)}): its age cannot be judged`);
  checks.push(`checkpoint signed at ${iso(checkpoint.claims.time)}, ${whole(age)} ago (maximum age ${whole(MAX_AGE_SECONDS)})`);
  return checkpoint.claims;
}

function checkpointFailure(status) {
  return status === 'origin-mismatch' ? 'verify.origin-mismatch' : status === 'malformed' ? 'verify.malformed-proof' : 'verify.checkpoint-signature';
}

/** Parses and verifies a tlog-proof for a leaf hash (§5.2 step 7). */
async function verifyProof(dir, proofText, expectedIndex, hash, checks, extraOf) {
  const proof = parseTlogProof(proofText) ?? fail('verify.malformed-proof', 'the tlog-proof does not parse');
  if (proof.index !== BigInt(expectedIndex)) fail('verify.leaf-index', `the proof is for leaf ${proof.index}, the answer names leaf ${expectedIndex}`);
  const cp = await verifyCheckpointNote(proof.note, dir.logKey, dir.origin);
  if (cp.status !== 'valid') fail(checkpointFailure(cp.status), `the tlog-proof does not verify: ${cp.status === 'origin-mismatch' ? `origin ${cp.checkpoint.origin}, expected ${dir.origin}` : 'no valid signature by the log key'}`);
  if (!(await verifyInclusion(proof.index, cp.checkpoint.size, hash, proof.hashes, cp.checkpoint.root))) {
    fail('verify.inclusion-proof', `the tlog-proof does not verify: the inclusion proof of leaf ${proof.index} does not lead to the root of the tree of size ${cp.checkpoint.size}`);
  }
  if (proof.extra && extraOf) extraOf(proof.extra);
  checks.push(`inclusion proof of leaf ${proof.index} in the tree of size ${cp.checkpoint.size}`);
  checks.push(`checkpoint signed by log key ${dir.logKey.name} for origin ${dir.origin}`);
  return { proof, checkpoint: cp.checkpoint, note: cp.note };
}

/** spec/cli.md §5.6 (without pinning: the page keeps no state). */
export async function verifyConfiguration(dir, answer, now, checks) {
  if (!answer?.entry || !answer.proof || !answer.map_proof) fail('verify.config-mismatch', 'the directory serves no logged configuration: nothing fixes the keys its descriptor advertises');
  const entryBytes = b64(answer.entry, 'the configuration entry', 'verify.config-mismatch');
  const entry = decoded(decodeConfiguration, entryBytes, 'verify.config-mismatch', (c) => `the configuration entry does not decode (${c})`);
  if (entry.number !== answer.number) fail('verify.config-mismatch', `the configuration entry is not number ${answer.number}`);
  const hash = await leafHash(entryBytes);
  const inner = [];
  const { checkpoint } = await verifyProof(dir, answer.proof, answer.leaf_index, hash, inner);
  const claims = fresh(checkpoint, now, inner, 'verify.config-mismatch');
  const mapProof = decoded(decodeMapProof, b64(answer.map_proof, 'the map proof', 'verify.config-mismatch'), 'verify.config-mismatch', (c) => `the map proof does not decode (${c})`);
  const status = await mapVerifyLatest(mapProof, claims.mapRoot, { label: await configurationMapLabel(), version: entry.number, index: BigInt(answer.leaf_index), leafHash: hash });
  if (status !== 'valid') fail('verify.config-mismatch', `the map does not prove configuration ${entry.number} at leaf ${answer.leaf_index} the latest (${status})`);
  checks.push(`configuration ${entry.number} logged at leaf ${answer.leaf_index}, the latest in the map of the checkpoint of size ${checkpoint.size}`);
  const samePoks = entry.poks.length === dir.poks.length && dir.poks.every((p) => entry.poks.some((e) => equal(e, p)));
  const mismatch = !samePoks ? 'POK set' : !equal(dir.vrfKey, entry.vrfKey) ? 'VRF key' : !equal(dir.logKey.key, entry.logKey) ? 'log key' : dir.witnessKey && !equal(dir.witnessKey.key, entry.witnessKey) ? 'witness key' : null;
  if (mismatch) fail('verify.config-mismatch', `the descriptor's ${mismatch} is not the logged configuration's: a key the log never committed to`);
  checks.push("the descriptor's POKs, VRF, log and witness keys are the logged configuration's");
  return { entry, checkpoint };
}

function leafMismatch(leaf, signet, label) {
  if (!equal(leaf.label, label)) return 'label';
  if (leaf.version !== signet.version) return 'version';
  if (!equal(leaf.signingKey, signet.signingKey)) return 'signing key';
  if ((leaf.custody === null) !== (signet.custody === null) || (leaf.custody && !equal(leaf.custody, signet.custody))) return 'custody signature';
  const event = signet.revoked ? 4 : signet.version === 1 ? 1 : signet.custody ? 2 : 3;
  if (leaf.event !== event) return `event (${EVENTS[leaf.event]}, expected ${EVENTS[event]})`;
  return null;
}

/** A v4 OpenPGP fingerprint: SHA-1 over 0x99 || u16 length || the first packet's body (a public-key packet). */
function openPgpFingerprint(cert) {
  const tag = cert[0];
  let length;
  let offset;
  if ((tag & 0xc0) === 0xc0) {
    if (cert[1] < 192) [length, offset] = [cert[1], 2];
    else if (cert[1] < 224) [length, offset] = [((cert[1] - 192) << 8) + cert[2] + 192, 3];
    else [length, offset] = [((cert[2] << 24) | (cert[3] << 16) | (cert[4] << 8) | cert[5]) >>> 0, 6];
  } else {
    const lt = tag & 3;
    [length, offset] = lt === 0 ? [cert[1], 2] : lt === 1 ? [(cert[1] << 8) | cert[2], 3] : [((cert[1] << 24) | (cert[2] << 16) | (cert[3] << 8) | cert[4]) >>> 0, 5];
  }
  const body = cert.subarray(offset, offset + length);
  return sha1(new Uint8Array([0x99, length >> 8, length & 255, ...body]));
}

/**
 * spec/cli.md §5.2 steps 1–7b for one key answer. With `latest` false (a history version)
 * the freshness and map proof are skipped (steps 7a–7b). Returns the decoded signet and leaf.
 */
export async function verifyKeyAnswer(dir, address, answer, now, checks, latest = true) {
  if (normaliseAddress(answer?.address ?? '') !== address) fail('verify.address-mismatch', `the answer is for ${answer?.address}, not ${address}`);
  const signetBytes = fromBase64(answer.signet) ?? fail('verify.malformed-signet', 'the answer has no signet');
  const signet = decoded(decodeSignet, signetBytes, 'verify.malformed-signet', (c) => `the signet does not decode: ${c}`);
  if (signet.address !== address) fail('verify.address-mismatch', `the signet is for ${signet.address}, not ${address}`);
  if (!(await verifyOrg(signet, dir.poks))) fail('verify.org-signature', 'the organisational signature does not verify under any POK of the descriptor');
  checks.push('organisational signature by a POK of the descriptor');
  if (!(await verifyUser(signet))) fail('verify.user-signature', "the user signature does not verify under the signet's signing key");
  checks.push("user signature by the signet's signing key");
  const label = fromBase64(answer.label ?? '') ?? new Uint8Array();
  const vrfProof = fromBase64(answer.vrf_proof ?? '') ?? new Uint8Array();
  const vrf = checkLabel(dir.vrfKey, address, label, vrfProof);
  if (vrf !== 'valid') fail('verify.vrf-proof', `the VRF proof does not prove the label for ${address}: ${vrf}`);
  checks.push(`VRF proof: label ${toHex(label)} belongs to ${address}`);
  const leafBytes = fromBase64(answer.leaf ?? '') ?? fail('verify.malformed-leaf', 'the answer has no leaf');
  const leaf = decoded(decodeLeaf, leafBytes, 'verify.malformed-leaf', (c) => `the leaf does not decode: ${c}`);
  const mismatch = leafMismatch(leaf, signet, label) ?? (equal(leaf.bodyHash, await sha256(signet.body)) ? null : 'body hash');
  if (mismatch) fail('verify.leaf-mismatch', `the leaf does not match the signet: ${mismatch}`);
  checks.push(`leaf (${EVENTS[leaf.event]}, version ${leaf.version}) matches the signet's label, version, signing key, body hash and custody`);
  if ((answer.status === 'revoked') !== signet.revoked) fail('verify.status-mismatch', `the answer says ${answer.status} but the signet is ${signet.revoked ? 'revoked' : 'not revoked'}`);
  let fingerprint = null;
  if (signet.openpgp || answer.openpgp_certificate) {
    const cert = fromBase64(answer.openpgp_certificate ?? '');
    if (!signet.openpgp || !cert) fail('verify.openpgp', `the OpenPGP certificate is not the one the signet commits to: ${signet.openpgp ? 'openpgp.missing' : 'openpgp.unexpected'}`);
    if (!equal(await sha256(cert), signet.openpgp.subarray(0, 32))) fail('verify.openpgp', 'the OpenPGP certificate is not the one the signet commits to: openpgp.mismatch: its SHA-256 differs from field 0x09');
    fingerprint = openPgpFingerprint(cert);
    if (!equal(fingerprint, signet.openpgp.subarray(32))) fail('verify.openpgp', 'the OpenPGP certificate is not the one the signet commits to: openpgp.mismatch: its fingerprint differs from field 0x09');
    checks.push(`OpenPGP certificate ${toHex(fingerprint).toUpperCase()}: SHA-256 and fingerprint match the signet's field 0x09`);
  }
  const hash = await leafHash(leafBytes);
  const { proof, checkpoint, note } = await verifyProof(dir, answer.proof, answer.leaf_index, hash, checks, (extraBytes) => {
    const extra = decodeExtra(extraBytes);
    if (extra.code) fail('verify.proof-extra', `the tlog-proof's extra data is malformed: ${extra.code}`);
    if (!equal(extra.signet, signetBytes) || !equal(extra.vrfProof, vrfProof)) fail('verify.proof-extra', "the tlog-proof's extra data is not the answer's signet and VRF proof");
  });
  if (latest) {
    const claims = fresh(checkpoint, now, checks, 'verify.not-latest');
    const mapProof = decoded(decodeMapProof, fromBase64(answer.map_proof ?? '') ?? new Uint8Array(), 'verify.not-latest',
      (c) => `the answer has no usable map proof (${c}): nothing shows that version ${signet.version} is the latest`);
    const status = await mapVerifyLatest(mapProof, claims.mapRoot, { label, version: leaf.version, index: proof.index, leafHash: hash });
    if (status !== 'valid') fail('verify.not-latest', `the map proof does not show version ${signet.version} at leaf ${proof.index} as the label's latest: ${status}`);
    checks.push(`map proof: version ${signet.version} at leaf ${proof.index} is the label's latest in the checkpoint's map (${levels(mapProof.depth)})`);
  }
  return { signet, leaf, fingerprint, checkpoint, note };
}

/** spec/cli.md §5.5 steps 1–3 (step 4–5 need kept state). */
export async function verifyAbsence(dir, address, absence, now, checks) {
  if (!absence?.label || !absence.vrf_proof || !absence.map_proof || !absence.checkpoint) fail('verify.absence-unproven', `the directory says it has no key for ${address} but gives no absence proof`);
  if (normaliseAddress(absence.address ?? '') !== address) fail('verify.absence-unproven', `the absence proof is for ${absence.address}, not ${address}`);
  const label = fromBase64(absence.label) ?? new Uint8Array();
  const vrf = checkLabel(dir.vrfKey, address, label, fromBase64(absence.vrf_proof) ?? new Uint8Array());
  if (vrf !== 'valid') fail('verify.absence-unproven', `the VRF proof does not prove the label for ${address}: ${vrf}`);
  checks.push(`VRF proof: label ${toHex(label)} belongs to ${address}`);
  const cp = await verifyCheckpointNote(absence.checkpoint, dir.logKey, dir.origin);
  if (cp.status === 'malformed') fail('verify.absence-unproven', "the absence proof's checkpoint is not a signed note");
  if (cp.status !== 'valid') fail(checkpointFailure(cp.status), `the absence proof's checkpoint does not verify: ${cp.status}`);
  checks.push(`checkpoint signed by log key ${dir.logKey.name} for origin ${dir.origin}`);
  const claims = fresh(cp.checkpoint, now, checks, 'verify.absence-unproven');
  const mapProof = decoded(decodeMapProof, fromBase64(absence.map_proof) ?? new Uint8Array(), 'verify.absence-unproven', (c) => `the map proof does not decode: ${c}`);
  const status = await mapVerifyAbsent(mapProof, claims.mapRoot, label);
  if (status !== 'valid') fail('verify.absence-unproven', `the map proof does not prove that the label is absent: ${status}`);
  checks.push(`map proof: no entry for the label in the checkpoint's map (${levels(mapProof.depth)})`);
  return { checkpoint: cp.checkpoint };
}

/** Runs `work(checks)`: {ok: true, checks, value} or {ok: false, code, message, checks}. */
export async function run(work) {
  const checks = [];
  try {
    return { ok: true, checks, value: await work(checks) };
  } catch (e) {
    if (e instanceof VerifyError) return { ok: false, code: e.code, message: e.message, checks };
    if (e instanceof FormatError) return { ok: false, code: 'verify.malformed-proof', message: e.message, checks };
    throw e;
  }
}

export { parseNote, toBase64 };

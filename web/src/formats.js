// Decoders for what the page verifies (spec/web.md §2), each after its spec section:
// signets (signets.md §2), log leaves (leaves.md §1), configuration entries
// (configuration.md §2), map proofs (map.md §3–§5), signed notes, checkpoints, vkeys,
// cosignatures and tlog-proofs (notes-and-checkpoints.md §2–§6), the proof extra (api.md
// "Proof extra data"), RFC 9162 inclusion proofs. Decoders return null or throw a
// FormatError naming the spec's code; verifiers return booleans or a status string.
import { concat, equal, fromBase64, fromUtf8, sha256, u32, u64, utf8, be } from './bytes.js';
import { ed25519Verify } from './ed25519.js';

export class FormatError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new FormatError(code, message);
};

// ---- signets.md §2 ----
const FIELD_LENGTHS = { 1: -1, 2: 4, 3: 8, 4: 8, 5: 32, 6: 32, 7: 32, 8: 1, 9: 52, 0x10: 64, 0x11: 64, 0x12: 64 };
export const USER_CONTEXT = utf8('dmd/signet-user/v1\n');
export const ORG_CONTEXT = utf8('dmd/signet-org/v1\n');

/**
 * Decodes a complete signet (signets.md §2.3, the order of its rules). The address is not
 * judged by addresses.md here (signet.address-invalid, -not-normalised): the verifier requires
 * it to equal the normalised address looked up, which only a valid, normalised one can.
 */
export function decodeSignet(bytes) {
  if (bytes.length > 1024) fail('signet.too-long', 'over 1024 bytes');
  if (bytes.length < 5) fail('signet.too-short', 'under 5 bytes');
  if (bytes[0] !== 0x44 || bytes[1] !== 0x4d) fail('signet.type', 'type is not 0x444D');
  const length = (bytes[2] << 16) | (bytes[3] << 8) | bytes[4];
  if (length > bytes.length - 5) fail('signet.truncated', 'header length past the end');
  if (length < bytes.length - 5) fail('signet.trailing-bytes', 'bytes after the record');
  const fields = new Map();
  const starts = new Map();
  let o = 5;
  let previous = 0;
  while (o < bytes.length) {
    if (bytes.length - o < 3) fail('signet.field-truncated', 'field header cut');
    const id = bytes[o];
    const n = (bytes[o + 1] << 8) | bytes[o + 2];
    if (o + 3 + n > bytes.length) fail('signet.field-truncated', 'field data cut');
    if (!(id in FIELD_LENGTHS)) fail('signet.field-unknown', `field 0x${id.toString(16)}`);
    if (id === previous) fail('signet.field-duplicate', `field 0x${id.toString(16)}`);
    if (id < previous) fail('signet.field-order', `field 0x${id.toString(16)}`);
    const want = FIELD_LENGTHS[id];
    if (want === -1 ? n < 1 || n > 318 : n !== want) fail('signet.field-length', `field 0x${id.toString(16)}`);
    const data = bytes.subarray(o + 3, o + 3 + n);
    if (id === 1) {
      try {
        fromUtf8(data);
      } catch {
        fail('signet.address-utf8', 'address is not UTF-8');
      }
    }
    if (id === 2 && u32(data, 0) === 0) fail('signet.version-zero', 'version 0');
    if (id === 8 && (data[0] & 0xfe) !== 0) fail('signet.flags-reserved', 'reserved flag bit');
    fields.set(id, data);
    starts.set(id, o);
    previous = id;
    o += 3 + n;
  }
  for (const id of [1, 2, 3, 4, 5, 6, 8]) if (!fields.has(id)) fail('signet.field-missing', `field 0x${id.toString(16)}`);
  const version = u32(fields.get(2), 0);
  if (version === 1 && fields.has(7)) fail('signet.prev-hash-unexpected', 'version 1 with a previous hash');
  if (version > 1 && !fields.has(7)) fail('signet.prev-hash-missing', 'no previous hash');
  const created = u64(fields.get(3), 0);
  const expires = u64(fields.get(4), 0);
  if (expires <= created) fail('signet.expiry', 'expires is not after created');
  if (version === 1 && fields.has(0x10)) fail('signet.custody-first-version', 'custody on version 1');
  if (!fields.has(0x11) || !fields.has(0x12)) fail('signet.signature-missing', 'user or org signature missing');
  const bodyEnd = starts.get(0x10) ?? starts.get(0x11);
  return {
    bytes,
    address: fromUtf8(fields.get(1)),
    version,
    created,
    expires,
    signingKey: fields.get(5),
    encryptionKey: fields.get(6),
    previousHash: fields.get(7) ?? null,
    revoked: (fields.get(8)[0] & 1) === 1,
    openpgp: fields.get(9) ?? null,
    custody: fields.get(0x10) ?? null,
    userSignature: fields.get(0x11),
    orgSignature: fields.get(0x12),
    body: bytes.subarray(5, bodyEnd),
    userSigned: bytes.subarray(5, starts.get(0x11)),
    orgSigned: bytes.subarray(5, starts.get(0x12)),
  };
}

export const verifyUser = (s) => ed25519Verify(s.signingKey, concat(USER_CONTEXT, s.userSigned), s.userSignature);

export async function verifyOrg(s, poks) {
  for (const pok of poks) if (await ed25519Verify(pok, concat(ORG_CONTEXT, s.orgSigned), s.orgSignature)) return true;
  return false;
}

// ---- leaves.md §1 ----
export const EVENTS = { 1: 'publish', 2: 'rotate', 3: 'reset', 4: 'revoke' };

export function decodeLeaf(b) {
  if (b.length === 0) fail('leaf.length', 'empty');
  if (b[0] !== 1) fail('leaf.format-version', 'format version');
  if (b.length !== 111 && b.length !== 175) fail('leaf.length', `${b.length} bytes`);
  if (b[1] < 1 || b[1] > 4) fail('leaf.event-type', 'event type');
  if (b[110] > 1) fail('leaf.custody-flag', 'custody flag');
  if ((b[110] === 1) !== (b.length === 175)) fail('leaf.custody-length', 'custody flag and length disagree');
  const version = u32(b, 42);
  if (version === 0) fail('leaf.version-zero', 'version 0');
  const event = b[1];
  const custody = b[110] === 1;
  if (event === 1 && version !== 1) fail('leaf.publish-version', 'publish with version above 1');
  if (event !== 1 && version === 1) fail('leaf.version-one', `${EVENTS[event]} with version 1`);
  if ((event === 2 || event === 4) && !custody) fail('leaf.custody-missing', 'no custody');
  if ((event === 1 || event === 3) && custody) fail('leaf.custody-unexpected', 'custody on publish or reset');
  return {
    bytes: b,
    event,
    timestamp: u64(b, 2),
    label: b.subarray(10, 42),
    version,
    signingKey: b.subarray(46, 78),
    bodyHash: b.subarray(78, 110),
    custody: custody ? b.subarray(111, 175) : null,
  };
}

export const leafHash = (entry) => sha256(new Uint8Array([0]), entry);

// ---- configuration.md §2 ----
export function decodeConfiguration(b) {
  if (b.length === 0 || b[0] !== 2) fail('config.entry-type', 'not a configuration entry');
  if (b.length < 15) fail('config.length', 'too short');
  if (b[1] !== 1) fail('config.format-version', 'format version');
  const n = b[14];
  if (n === 0 || n > 8) fail('config.pok-count', `${n} POKs`);
  if (b.length !== 15 + 32 * n + 96) fail('config.length', 'length');
  const number = u32(b, 10);
  if (number === 0) fail('config.number-zero', 'number 0');
  const poks = [];
  for (let i = 0; i < n; i++) poks.push(b.subarray(15 + 32 * i, 47 + 32 * i));
  const o = 15 + 32 * n;
  return { number, poks, vrfKey: b.subarray(o, o + 32), logKey: b.subarray(o + 32, o + 64), witnessKey: b.subarray(o + 64, o + 96) };
}

export const configurationMapLabel = () => sha256(utf8('dmd/configuration/v1'));

// ---- map.md §3–§5 ----
export function decodeMapProof(b) {
  if (b.length === 0) fail('map.proof-length', 'empty');
  const kind = b[0];
  if (kind < 1 || kind > 3) fail('map.proof-kind', `kind ${kind}`);
  if (b.length < 3) fail('map.proof-length', 'cut');
  const depth = (b[1] << 8) | b[2];
  if (depth > 256) fail('map.proof-depth', `depth ${depth}`);
  const bitmapLength = Math.ceil(depth / 8);
  if (b.length < 3 + bitmapLength) fail('map.proof-length', 'bitmap cut');
  const bit = (i) => (b[3 + (i >> 3)] >> (7 - (i & 7))) & 1;
  for (let i = depth; i < bitmapLength * 8; i++) if (bit(i)) fail('map.proof-padding', 'padding bit set');
  let set = 0;
  for (let i = 0; i < depth; i++) set += bit(i);
  if (b.length !== 3 + bitmapLength + 32 * set + (kind === 3 ? 76 : 0)) fail('map.proof-length', 'length');
  const siblings = [];
  let o = 3 + bitmapLength;
  for (let i = 0; i < depth; i++) {
    if (bit(i)) {
      const s = b.subarray(o, o + 32);
      if (s.every((x) => x === 0)) fail('map.proof-sibling', 'zero sibling');
      siblings.push(s);
      o += 32;
    } else siblings.push(null);
  }
  let other = null;
  if (kind === 3) {
    const e = b.subarray(o, o + 76);
    other = { label: e.subarray(0, 32), version: u32(e, 32), index: u64(e, 36), leafHash: e.subarray(44, 76) };
    if (other.version === 0) fail('map.proof-version', 'other entry version 0');
    if (other.index > 0x7fffffffffffffffn) fail('map.proof-index', 'other entry index');
  }
  return { kind, depth, siblings, other };
}

const EMPTY = new Uint8Array(32);
const labelBit = (label, i) => (label[i >> 3] >> (7 - (i & 7))) & 1;
const mapLeafHash = (label, version, index, hash) => sha256(new Uint8Array([2]), label, be(version, 4), be(index, 8), hash);

async function mapRoot(proof, label, terminal) {
  let h = terminal;
  for (let i = proof.depth - 1; i >= 0; i--) {
    const s = proof.siblings[i] ?? EMPTY;
    h = labelBit(label, i) === 0 ? await sha256(new Uint8Array([3]), h, s) : await sha256(new Uint8Array([3]), s, h);
  }
  return h;
}

const canonical = (p) => p.depth === 0 || p.siblings[p.depth - 1] !== null;

/** map.md §5 VerifyLatest: 'valid' or the status in kebab case. */
export async function mapVerifyLatest(proof, root, entry) {
  if (proof.kind !== 1) return 'wrong-kind';
  if (!canonical(proof)) return 'not-canonical';
  const terminal = await mapLeafHash(entry.label, entry.version, entry.index, entry.leafHash);
  return equal(await mapRoot(proof, entry.label, terminal), root) ? 'valid' : 'root-mismatch';
}

/** map.md §5 VerifyAbsent. */
export async function mapVerifyAbsent(proof, root, label) {
  if (proof.kind === 1) return 'wrong-kind';
  if (!canonical(proof)) return 'not-canonical';
  let terminal = EMPTY;
  if (proof.kind === 3) {
    const o = proof.other;
    for (let i = 0; i < proof.depth; i++) if (labelBit(o.label, i) !== labelBit(label, i)) return 'label-mismatch';
    if (equal(o.label, label)) return 'label-mismatch';
    terminal = await mapLeafHash(o.label, o.version, o.index, o.leafHash);
  }
  return equal(await mapRoot(proof, label, terminal), root) ? 'valid' : 'root-mismatch';
}

// ---- notes-and-checkpoints.md §2 ----
export async function keyId(name, type, publicKey) {
  return (await sha256(utf8(name), new Uint8Array([0x0a, type]), publicKey)).subarray(0, 4);
}

/** A vkey `name+hex+base64(type||key)` (§2.4) or null. */
export async function parseVkey(text) {
  const parts = typeof text === 'string' ? text.split('+') : [];
  if (parts.length < 3) return null;
  const [name, hex] = parts;
  const raw = fromBase64(parts.slice(2).join('+'));
  if (!name || !/^[0-9a-f]{8}$/.test(hex) || !raw || raw.length !== 33 || (raw[0] !== 1 && raw[0] !== 4)) return null;
  const key = raw.subarray(1);
  const id = await keyId(name, raw[0], key);
  if (Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('') !== hex) return null;
  return { name, type: raw[0], key, id };
}

/** Splits a signed note at its last blank line (§2.1); null when it does not parse. */
export function parseNote(text) {
  if (typeof text !== 'string' || !text.endsWith('\n')) return null;
  const cut = text.lastIndexOf('\n\n');
  if (cut < 0) return null;
  const body = text.substring(0, cut + 1);
  const lines = text.substring(cut + 2, text.length - 1).split('\n');
  if (lines.length === 0 || lines.length > 100) return null;
  const signatures = [];
  for (const line of lines) {
    if (!line.startsWith('\u2014 ')) return null;
    const rest = line.substring(2);
    const space = rest.indexOf(' ');
    if (space <= 0) return null;
    const raw = fromBase64(rest.substring(space + 1));
    if (!raw || raw.length < 5) return null;
    signatures.push({ name: rest.substring(0, space), id: raw.subarray(0, 4), signature: raw.subarray(4), line });
  }
  return { text: body, signatures };
}

/** The checkpoint in a note's text (§3.1) with the DarkMail claims (§3.3) when present. */
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  lines.pop();
  if (lines.length < 3 || !lines[0] || !/^(0|[1-9][0-9]{0,18})$/.test(lines[1])) return null;
  const root = fromBase64(lines[2]);
  if (!root || root.length !== 32) return null;
  const checkpoint = { origin: lines[0], size: BigInt(lines[1]), root, claims: null };
  const ext = lines.slice(3);
  if (ext.length === 2 && ext[0].startsWith('dmd-map ') && ext[1].startsWith('dmd-time ')) {
    const mapRootBytes = fromBase64(ext[0].substring(8));
    const time = ext[1].substring(9);
    if (mapRootBytes && mapRootBytes.length === 32 && /^(0|[1-9][0-9]{0,11})$/.test(time) && Number(time) <= 253402300799) {
      checkpoint.claims = { mapRoot: mapRootBytes, time: Number(time) };
    }
  }
  return checkpoint;
}

/**
 * Verifies a checkpoint note under the log key (§2.2, type 0x01): the lines of the log key
 * must all verify and at least one must exist. Returns {status, checkpoint, note}; status
 * 'valid', 'malformed', 'bad-signature' or 'origin-mismatch'.
 */
export async function verifyCheckpointNote(noteText, logKey, origin) {
  const note = parseNote(noteText);
  const checkpoint = note && parseCheckpoint(note.text);
  if (!note || !checkpoint) return { status: 'malformed' };
  let known = 0;
  for (const s of note.signatures) {
    if (s.name !== logKey.name || !equal(s.id, logKey.id)) continue;
    known++;
    if (s.signature.length !== 64 || !(await ed25519Verify(logKey.key, utf8(note.text), s.signature))) return { status: 'bad-signature', note, checkpoint };
  }
  if (known === 0) return { status: 'bad-signature', note, checkpoint };
  if (checkpoint.origin !== origin) return { status: 'origin-mismatch', note, checkpoint };
  return { status: 'valid', note, checkpoint };
}

/** §4: the signed time of a witness's cosignature line, or null when it does not verify. */
export async function verifyCosignature(note, witness) {
  for (const s of note.signatures) {
    if (s.name !== witness.name || !equal(s.id, witness.id) || witness.type !== 4 || s.signature.length !== 72) continue;
    const t = u64(s.signature, 0);
    const message = concat(utf8(`cosignature/v1\ntime ${t}\n`), utf8(note.text));
    if (t <= 0x7fffffffffffffffn && (await ed25519Verify(witness.key, message, s.signature.subarray(8)))) return Number(t);
    return null;
  }
  return null;
}

// ---- §6 tlog-proof ----
export function parseTlogProof(text) {
  if (typeof text !== 'string' || text.length > 131072) return null;
  const sep = text.indexOf('\n\n');
  if (sep < 0) return null;
  const lines = text.substring(0, sep).split('\n');
  if (lines.shift() !== 'c2sp.org/tlog-proof@v1') return null;
  let extra = null;
  if (lines[0]?.startsWith('extra ')) {
    extra = fromBase64(lines.shift().substring(6));
    if (!extra || extra.length === 0) return null;
  }
  const index = lines.shift();
  if (!index?.startsWith('index ') || !/^(0|[1-9][0-9]{0,18})$/.test(index.substring(6))) return null;
  if (lines.length > 63) return null;
  const hashes = [];
  for (const l of lines) {
    const h = fromBase64(l);
    if (!h || h.length !== 32) return null;
    hashes.push(h);
  }
  return { extra, index: BigInt(index.substring(6)), hashes, note: text.substring(sep + 2) };
}

/** RFC 9162 §2.1.3.2: true when the hashes lead from the leaf hash to the root. */
export async function verifyInclusion(index, size, leaf, hashes, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of hashes) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/** api.md "Proof extra data": {signet, vrfProof} or the extra.* code. */
export function decodeExtra(b) {
  if (b.length < 2) return { code: 'extra.truncated' };
  const n = (b[0] << 8) | b[1];
  if (n === 0 || n > 1024) return { code: 'extra.signet-length' };
  if (b.length - 2 < n) return { code: 'extra.truncated' };
  const rest = b.length - 2 - n;
  if (rest < 80) return { code: 'extra.vrf-proof-length' };
  if (rest > 80) return { code: 'extra.trailing-bytes' };
  return { signet: b.subarray(2, 2 + n), vrfProof: b.subarray(2 + n) };
}

// ECVRF-RISTRETTO255-SHA512 verification (c2sp.org/vrf-r255; spec/vrf-labels.md §2.4, §3.2,
// §4.2) on @noble/curves' ristretto255: label checks return 'valid' or the spec's code.
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, equal } from './bytes.js';

const Point = ristretto255.Point;
const SUITE = new Uint8Array([0xff, ...new TextEncoder().encode('c2sp.org/vrf-r255')]);
export const Q = 2n ** 252n + 27742317777372353535851937790883648493n;

const le = (b) => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
};

function decodePoint(bytes) {
  try {
    return Point.fromBytes(bytes);
  } catch {
    return null;
  }
}

/** H of §2.2: the one-way map of SHA-512(suite || 82 || PK || alpha). */
export function encodeToCurve(publicKey, alpha) {
  return ristretto255_hasher.deriveToCurve(sha512(concat(SUITE, new Uint8Array([0x82]), publicKey, alpha)));
}

/** §2.4: {status: 'valid', beta} or {status: code}. */
export function vrfVerify(publicKey, alpha, pi) {
  if (publicKey.length !== 32) return { status: 'vrf.public-key-size' };
  const Y = decodePoint(publicKey);
  if (!Y) return { status: 'vrf.public-key-noncanonical' };
  if (Y.equals(Point.ZERO)) return { status: 'vrf.public-key-identity' };
  if (pi.length !== 80) return { status: 'vrf.proof-size' };
  const gammaBytes = pi.subarray(0, 32);
  const gamma = decodePoint(gammaBytes);
  if (!gamma) return { status: 'vrf.proof-gamma' };
  const s = le(pi.subarray(48, 80));
  if (s >= Q) return { status: 'vrf.proof-scalar' };
  const cBytes = pi.subarray(32, 48);
  const c = le(cBytes);
  const H = encodeToCurve(publicKey, alpha);
  const U = Point.BASE.multiplyUnsafe(s).subtract(Y.multiplyUnsafe(c));
  const V = H.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c));
  const challenge = sha512(concat(SUITE, new Uint8Array([0x02]), publicKey, H.toBytes(), gammaBytes, U.toBytes(), V.toBytes(), new Uint8Array([0])));
  if (!equal(challenge.subarray(0, 16), cBytes)) return { status: 'vrf.proof-invalid' };
  return { status: 'valid', beta: sha512(concat(SUITE, new Uint8Array([0x03]), gammaBytes, new Uint8Array([0]))) };
}

/** §4.2: the label of the normalised address under the key. */
export function checkLabel(publicKey, address, label, pi) {
  if (label.length !== 32) return 'label.size';
  const v = vrfVerify(publicKey, new TextEncoder().encode(address), pi);
  if (v.status !== 'valid') return v.status;
  return equal(v.beta.subarray(0, 32), label) ? 'valid' : 'label.mismatch';
}

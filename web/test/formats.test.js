// The project's vectors (spec/vectors) through the page's own decoders and verifiers: signets
// (decoding errors, signatures, body hash), log leaves, map proofs (inclusion and absence,
// decoding errors), and a hand-made RFC 6962 inclusion proof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, sha256, toHex } from '../src/bytes.js';
import {
  EVENTS, FormatError, decodeLeaf, decodeMapProof, decodeSignet, leafHash, mapVerifyAbsent, mapVerifyLatest, verifyInclusion, verifyOrg, verifyUser,
} from '../src/formats.js';

// Integers beyond 2^53 (leaf index 2^63 - 1) are read as strings, then as BigInt.
const vectors = (name) => JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8').replace(/("leafIndex": *)([0-9]{16,})/g, '$1"$2"'));
const code = (f) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return e.code;
  }
};

test('signets.json: valid signets decode, both signatures verify, body hash matches', async () => {
  const v = vectors('signets.json');
  for (const s of v.valid) {
    const signet = decodeSignet(fromHex(s.hex));
    assert.equal(signet.version, s.version, s.comment);
    assert.equal(toHex(signet.signingKey), s.signing_key_hex);
    assert.equal(toHex(await sha256(signet.body)), s.body_hash_hex);
    assert.ok(await verifyUser(signet), `user ${s.comment}`);
    assert.ok(await verifyOrg(signet, [fromHex(v.pok_hex)]), `org ${s.comment}`);
    assert.equal(await verifyOrg(signet, [fromHex(s.signing_key_hex)]), false);
  }
  for (const s of v.signature_failures) {
    const signet = decodeSignet(fromHex(s.hex));
    assert.equal(await verifyUser(signet), s.user_signature_valid, s.comment);
    assert.equal(await verifyOrg(signet, [fromHex(v.pok_hex)]), s.org_signature_valid, s.comment);
  }
});

test('signets.json: invalid complete signets fail with their code', () => {
  const skipped = new Set(['signet.address-invalid', 'signet.address-not-normalised']);
  let checked = 0;
  for (const s of vectors('signets.json').invalid) {
    if (s.form !== 'signet' || skipped.has(s.error)) continue;
    assert.equal(code(() => decodeSignet(fromHex(s.hex))), s.error, s.comment);
    checked++;
  }
  assert.ok(checked > 25);
});

test('leaves.json: valid leaves decode with their hash, invalid ones fail with their code', async () => {
  const v = vectors('leaves.json');
  for (const l of v.valid) {
    const leaf = decodeLeaf(fromHex(l.leaf));
    assert.equal(EVENTS[leaf.event], l.event, l.name);
    assert.equal(leaf.version, l.version);
    assert.equal(toHex(await leafHash(fromHex(l.leaf))), l.leafHash);
  }
  for (const l of v.invalid) assert.equal(code(() => decodeLeaf(fromHex(l.leaf))), l.error, l.name);
});

test('map.json: every proof verifies for its label, fails for another, invalid ones fail to decode', async () => {
  const v = vectors('map.json');
  let n = 0;
  for (const m of v.maps) {
    const root = fromHex(m.root);
    for (const p of m.proofs) {
      const proof = decodeMapProof(fromHex(p.proof));
      assert.equal(proof.depth, p.depth);
      const label = fromHex(p.label);
      if (p.kind === 'inclusion') {
        const e = m.entries.find((x) => x.label === p.label);
        const entry = { label, version: e.version, index: BigInt(e.leafIndex), leafHash: fromHex(e.leafHash) };
        assert.equal(await mapVerifyLatest(proof, root, entry), 'valid', `${m.name} ${p.label}`);
        assert.equal(await mapVerifyLatest(proof, root, { ...entry, version: e.version + 1 }), 'root-mismatch');
        assert.equal(await mapVerifyAbsent(proof, root, label), 'wrong-kind');
      } else {
        assert.equal(await mapVerifyAbsent(proof, root, label), 'valid', `${m.name} ${p.label}`);
        const flipped = fromHex(m.root);
        flipped[0] ^= 1;
        assert.equal(await mapVerifyAbsent(proof, flipped, label), 'root-mismatch');
      }
      n++;
    }
  }
  assert.ok(n > 5);
  for (const i of v.invalid.filter((x) => x.error)) assert.equal(code(() => decodeMapProof(fromHex(i.proof))), i.error, i.name);
  let verified = 0;
  for (const i of v.invalid.filter((x) => x.check)) {
    const proof = decodeMapProof(fromHex(i.proof));
    const root = fromHex(i.root);
    const status = i.check === 'latest'
      ? await mapVerifyLatest(proof, root, { label: fromHex(i.entry.label), version: i.entry.version, index: BigInt(i.entry.leafIndex), leafHash: fromHex(i.entry.leafHash) })
      : await mapVerifyAbsent(proof, root, fromHex(i.label));
    assert.equal(status, i.status, i.name);
    verified++;
  }
  assert.ok(verified >= 10);
});

test('RFC 6962 inclusion: every leaf of a 7-leaf tree, and a flipped proof byte fails', async () => {
  const node = (a, b) => sha256(new Uint8Array([1]), a, b);
  const leaves = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => leafHash(new Uint8Array([i]))));
  // Tree of 7: ((0,1),(2,3)),((4,5),6)
  const n01 = await node(leaves[0], leaves[1]);
  const n23 = await node(leaves[2], leaves[3]);
  const n45 = await node(leaves[4], leaves[5]);
  const left = await node(n01, n23);
  const right = await node(n45, leaves[6]);
  const root = await node(left, right);
  const proofs = [
    [leaves[1], n23, right], [leaves[0], n23, right], [leaves[3], n01, right], [leaves[2], n01, right],
    [leaves[5], leaves[6], left], [leaves[4], leaves[6], left], [n45, left],
  ];
  for (let i = 0; i < 7; i++) {
    assert.ok(await verifyInclusion(BigInt(i), 7n, leaves[i], proofs[i], root), `leaf ${i}`);
    const bad = proofs[i].map((h) => h.slice());
    bad[0][5] ^= 1;
    assert.equal(await verifyInclusion(BigInt(i), 7n, leaves[i], bad, root), false);
  }
  assert.equal(await verifyInclusion(7n, 7n, leaves[6], proofs[6], root), false);
});

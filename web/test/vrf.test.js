// The c2sp.org/vrf-r255 vector (../shared/vectors/vrf-r255.json) and the
// project's label vectors (spec/vectors/vrf-labels.json), through the page's own verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../src/bytes.js';
import { vrfVerify, checkLabel, encodeToCurve } from '../src/vrf.js';

const vectorsDir = new URL('../../spec/vectors/', import.meta.url);
// The shared vectors live beside the repository (../shared/vectors), as for the C# tests.
const sharedDir = new URL('../../../shared/vectors/', import.meta.url);
const r255 = JSON.parse(readFileSync(new URL('vrf-r255.json', sharedDir), 'utf8'));

test('vrf-r255 vector: H, proof and beta', () => {
  const pk = fromHex(r255.pk);
  const alpha = fromHex(r255.alpha);
  assert.equal(toHex(encodeToCurve(pk, alpha).toBytes()), r255.H);
  const v = vrfVerify(pk, alpha, fromHex(r255.pi));
  assert.equal(v.status, 'valid');
  assert.equal(toHex(v.beta), r255.beta);
});

test('vrf-r255 vector: every single-bit change of pi fails', () => {
  const pk = fromHex(r255.pk);
  const alpha = fromHex(r255.alpha);
  for (let bit = 0; bit < 80 * 8; bit += 7) {
    const pi = fromHex(r255.pi);
    pi[bit >> 3] ^= 1 << (bit & 7);
    assert.notEqual(vrfVerify(pk, alpha, pi).status, 'valid', `bit ${bit}`);
  }
  assert.equal(vrfVerify(pk, fromHex('00'), fromHex(r255.pi)).status, 'vrf.proof-invalid');
});

test('vrf-labels vectors: valid and invalid cases', () => {
  const labels = JSON.parse(readFileSync(new URL('vrf-labels.json', vectorsDir), 'utf8'));
  for (const v of labels.valid) assert.equal(checkLabel(fromHex(v.pk), v.address, fromHex(v.label), fromHex(v.proof)), 'valid', v.name);
  for (const v of labels.invalid) assert.equal(checkLabel(fromHex(v.pk), v.address, fromHex(v.label), fromHex(v.proof)), v.error, v.name);
});

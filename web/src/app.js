// The directory's page (spec/web.md): reads ?address=, fetches the descriptor, the logged
// configuration and the key answer (or, for another domain, the federation lookup) from this
// origin, verifies them with verify.js and shows what passed; then the log view: the latest
// checkpoint (verified), its age, the witnesses' cosignatures, the growth chart from
// GET /v1/log/history and the count of resets. Every value from the network is put into the
// page as text (textContent), never as markup.
import { fromBase64, toBase64, toHex } from './bytes.js';
import { ed25519Implementation } from './ed25519.js';
import { EVENTS, decodeLeaf, decodeSignet, parseCheckpoint, parseNote, verifyCheckpointNote, verifyCosignature } from './formats.js';
import { normaliseAddress, run, trustDescriptor, verifyAbsence, verifyConfiguration, verifyKeyAnswer } from './verify.js';

/** Most history pages the page follows (each at most 64 versions, spec/api.md). */
const MAX_HISTORY_PAGES = 16;

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

const nowSeconds = () => Date.now() / 1000;
const iso = (seconds) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');

function ago(seconds) {
  const s = Math.max(0, Math.round(nowSeconds() - seconds));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

function dl(rows) {
  const list = el('dl');
  for (const [term, value, mono] of rows) {
    if (value === null || value === undefined) continue;
    list.append(el('dt', {}, term), el('dd', mono ? { class: 'mono' } : {}, value));
  }
  return list;
}

function checkList(result, id = 'checks') {
  const list = el('ol', { class: 'checks', id, 'aria-label': 'Checks, in order' });
  for (const c of result.checks) list.append(el('li', { class: 'ok' }, c));
  if (!result.ok) list.append(el('li', { class: 'fail' }, `${result.code}: ${result.message}`));
  return list;
}

function verdict(kind, text) {
  return el('p', { class: `verdict ${kind}`, id: 'verdict', role: 'status' }, text);
}

/** Reads the descriptor this origin serves (trusted under its own POKs, spec/web.md §2). */
let descriptorPromise = null;
const descriptor = () => (descriptorPromise ??= getJson('/.well-known/dx-directory'));

function payloadDomain(document) {
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64(document.payload))).domain;
  } catch {
    return null;
  }
}

function keyRows(answer, signet, fingerprint) {
  return [
    ['Address', answer.address],
    ['Version', String(signet.version)],
    ['Status', answer.status],
    ['Signing key (Ed25519)', toBase64(signet.signingKey), true],
    ['Encryption key (X25519)', toBase64(signet.encryptionKey), true],
    ['Valid', `${iso(signet.created)} to ${iso(signet.expires)}${signet.expires > BigInt(Math.floor(nowSeconds())) ? '' : ' (expired)'}`],
    ['OpenPGP fingerprint', fingerprint ? toHex(fingerprint).toUpperCase() : null, true],
    ['Last reset version', answer.last_reset_version === null || answer.last_reset_version === undefined ? 'none' : String(answer.last_reset_version)],
    ['Leaf index', String(answer.leaf_index)],
  ];
}

/** One row per version of the history, each verified on its own (spec/cli.md §5.2 steps 1–7). */
async function historySection(dir, address, firstPage) {
  const section = el('section', { 'aria-labelledby': 'history-title' }, el('h3', { id: 'history-title' }, 'History'));
  const versions = [];
  let page = firstPage;
  for (let i = 0; page && i < MAX_HISTORY_PAGES; i++) {
    versions.push(...(page.versions ?? []));
    if (!page.next) break;
    const next = await getJson(`/v1/keys/${encodeURIComponent(address)}/history?cursor=${encodeURIComponent(page.next)}`);
    page = next.status === 200 ? next.body : null;
  }
  const headings = ['Version', 'Event', 'Created', 'Expires', 'Signing key', 'Leaf', 'Verified'];
  const table = el('table', { id: 'history', class: 'stack' }, el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  const resets = [];
  for (const v of versions) {
    const result = await run((checks) => verifyKeyAnswer(dir, address, v, nowSeconds(), checks, false));
    let signet = null;
    let leaf = null;
    try {
      signet = decodeSignet(fromBase64(v.signet));
      leaf = decodeLeaf(fromBase64(v.leaf));
    } catch {
      // shown as unverified below
    }
    if (leaf?.event === 3) resets.push(leaf.version);
    const cells = [
      el('td', {}, signet ? String(signet.version) : '?'),
      el('td', {}, leaf ? EVENTS[leaf.event] : '?'),
      el('td', {}, signet ? iso(signet.created) : ''),
      el('td', {}, signet ? iso(signet.expires) : ''),
      el('td', { class: 'mono' }, signet ? toBase64(signet.signingKey) : ''),
      el('td', {}, String(v.leaf_index)),
      el('td', { class: result.ok ? 'ok' : 'fail' }, result.ok ? 'ok' : `FAIL ${result.code}: ${result.message}`),
    ];
    cells.forEach((c, i) => c.setAttribute('data-label', headings[i]));
    body.append(el('tr', {}, ...cells));
  }
  table.append(body);
  section.append(el('div', { class: 'table-wrap' }, table));
  section.append(el('h3', { id: 'resets-title' }, 'Resets'),
    el('p', { id: 'resets' }, resets.length === 0
      ? 'No reset: every change of key was signed by the previous key (custody).'
      : `Reset at version ${resets.join(', ')}: the key changed without the previous key's custody (an administrator's reset, counted in public).`));
  return section;
}

async function lookUp(input) {
  const result = $('result');
  result.setAttribute('aria-busy', 'true');
  result.replaceChildren(verdict('pending', `Verifying ${input}…`));
  const address = normaliseAddress(input);
  if (!address) {
    result.replaceChildren(verdict('fail', `“${input}” is not an address (local-part@domain).`));
    result.setAttribute('aria-busy', 'false');
    return;
  }
  const d = await descriptor();
  if (d.status !== 200) {
    result.replaceChildren(verdict('fail', `The directory serves no descriptor (HTTP ${d.status}).`));
    result.setAttribute('aria-busy', 'false');
    return;
  }
  const domain = address.substring(address.lastIndexOf('@') + 1);
  const parts = domain === payloadDomain(d.body) ? await lookUpLocal(address, d.body) : await lookUpFederated(address);
  result.replaceChildren(...parts);
  result.setAttribute('aria-busy', 'false');
}

async function lookUpLocal(address, document) {
  let dir = null;
  let answer = null;
  let verified = null;
  let absent = false;
  const outcome = await run(async (checks) => {
    dir = await trustDescriptor(document, address.substring(address.lastIndexOf('@') + 1), nowSeconds(), checks);
    const configuration = await getJson('/v1/configuration');
    await verifyConfiguration(dir, configuration.status === 200 ? configuration.body : null, nowSeconds(), checks);
    const key = await getJson(`/v1/keys/${encodeURIComponent(address)}`);
    if (key.status === 404) {
      absent = true;
      return verifyAbsence(dir, address, key.body?.absence, nowSeconds(), checks);
    }
    if (key.status !== 200) throw Object.assign(new Error(key.body?.detail ?? `HTTP ${key.status}`), { http: key });
    answer = key.body;
    verified = await verifyKeyAnswer(dir, address, answer, nowSeconds(), checks, true);
    return verified;
  }).catch((e) => ({ ok: false, code: e.http ? `http-${e.http.status}` : 'error', message: e.message, checks: [] }));
  return render(address, outcome, answer, verified, absent, 'this directory', async () => {
    const history = await getJson(`/v1/keys/${encodeURIComponent(address)}/history`);
    return history.status === 200 ? historySection(dir, address, history.body) : null;
  });
}

async function lookUpFederated(address) {
  const response = await getJson(`/v1/lookup/${encodeURIComponent(address)}`);
  const body = response.body ?? {};
  if (response.status === 404 && body.code === 'lookup.not-found') {
    return [verdict('ok', `${address}: no key (proven by this directory's federation lookup; the absence proof is not re-verified here: the remote's descriptor is not part of the answer)`),
      checkList({ ok: true, checks: body.checks ?? [] }, 'server-checks')];
  }
  if (response.status !== 200) {
    return [verdict('fail', `FAIL ${body.code ?? `http-${response.status}`}: ${body.detail ?? 'the federation lookup failed'}`),
      checkList({ ok: false, code: body.code ?? `http-${response.status}`, message: body.detail ?? '', checks: body.checks ?? [] }, 'server-checks')];
  }
  let verified = null;
  let remote = null;
  const outcome = await run(async (checks) => {
    remote = await trustDescriptor(body.descriptor, address.substring(address.lastIndexOf('@') + 1), nowSeconds(), checks);
    verified = await verifyKeyAnswer(remote, address, body.answer, nowSeconds(), checks, true);
    return verified;
  });
  const parts = render(address, outcome, body.answer, verified, false, `${body.verification?.directory_url ?? 'the remote directory'} through this directory's federation lookup`, null);
  const server = body.verification?.checks ?? [];
  parts.push(el('h3', {}, "This directory's own checks of the remote (DNS, descriptor under the _dx POKs, configuration)"),
    checkList({ ok: body.verification?.ok !== false, checks: server, code: body.verification?.code, message: body.verification?.message }, 'server-checks'));
  if (outcome.ok && verified?.note) {
    // spec/web.md §3: the remote's log as this answer proves it — the checkpoint the inclusion
    // proof verified against, and its witnesses' cosignatures on it, verified here.
    parts.push(el('h3', {}, `The log of ${remote.domain}, at the checkpoint of this answer`),
      el('div', { id: 'remote-log' }, checkpointPanel(remote, verified.checkpoint, 'valid', null),
        await witnessTable(remote, verified.note, null, 'remote-witnesses')));
  }
  return parts;
}

function render(address, outcome, answer, verified, absent, source, history) {
  const parts = [];
  if (outcome.ok && absent) {
    parts.push(verdict('ok', `${address}: no key (proven)`));
  } else if (outcome.ok) {
    parts.push(verdict('ok', `verified: ${address} version ${verified.signet.version}${answer.status === 'revoked' ? ' (revoked)' : ''}, every check passed`));
  } else {
    parts.push(verdict('fail', `FAIL ${outcome.code}: ${outcome.message}`));
  }
  if (answer && verified) {
    parts.push(el('h3', {}, 'Current key'), el('div', { class: 'panel', id: 'key' }, dl(keyRows(answer, verified.signet, verified.fingerprint))));
  }
  parts.push(el('h3', {}, `Checks (answer from ${source}; Ed25519 by ${ed25519Implementation()})`), checkList(outcome));
  if (history && answer) {
    const holder = el('div', { id: 'history-holder' }, el('p', {}, 'Loading the history…'));
    parts.push(holder);
    history().then((section) => holder.replaceChildren(section ?? el('p', {}, 'The history could not be read.')));
  }
  return parts;
}

// ---- the log view ----

function chart(points) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const W = 640;
  const H = 220;
  const L = 56;
  const B = 30;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const first = points[0];
  const last = points[points.length - 1];
  svg.setAttribute('aria-label', `Tree size over time: ${first.size} at ${first.time} to ${last.size} at ${last.time}`);
  const t0 = Date.parse(first.time);
  const t1 = Math.max(Date.parse(last.time), t0 + 1);
  const maxSize = Math.max(1, ...points.map((p) => p.size));
  const x = (t) => L + ((Date.parse(t) - t0) / (t1 - t0)) * (W - L - 10);
  const y = (s) => H - B - (s / maxSize) * (H - B - 10);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add('line', { x1: L, y1: H - B, x2: W - 5, y2: H - B, class: 'axis' });
  add('line', { x1: L, y1: 5, x2: L, y2: H - B, class: 'axis' });
  add('text', { x: L - 6, y: y(maxSize) + 4, 'text-anchor': 'end' }, String(maxSize));
  add('text', { x: L - 6, y: H - B + 4, 'text-anchor': 'end' }, '0');
  add('text', { x: L, y: H - 8 }, first.time.replace('T', ' ').substring(0, 19));
  add('text', { x: W - 5, y: H - 8, 'text-anchor': 'end' }, last.time.replace('T', ' ').substring(0, 19));
  add('polyline', { class: 'line', points: points.map((p) => `${x(p.time).toFixed(1)},${y(p.size).toFixed(1)}`).join(' ') });
  if (points.length <= 40) for (const p of points) add('circle', { class: 'dot', cx: x(p.time).toFixed(1), cy: y(p.size).toFixed(1), r: 2.5 });
  return svg;
}

/**
 * The witnesses of a log: the descriptor's policy witnesses, each with its cosignature on the
 * checkpoint `note` verified here, then the descriptor's own cosigner key (the key the directory
 * witnesses other logs with, labelled so: it rarely cosigns its own log). With `seen` (this
 * directory's /v1/log/history), a third column gives the newest cosignature it stored.
 */
async function witnessTable(dir, note, seen, id) {
  const witnesses = dir.witnesses.map((w) => ({ key: w, own: false }));
  if (dir.witnessKey && !dir.witnesses.some((w) => w.name === dir.witnessKey.name)) witnesses.push({ key: dir.witnessKey, own: true });
  const rows = [];
  for (const { key: w, own } of witnesses) {
    const t = note ? await verifyCosignature(note, w) : null;
    const cells = [
      el('td', {}, el('span', { class: 'mono' }, w.name), own ? el('span', { class: 'aside' }, ` (${dir.domain}'s own key, for cosigning other logs)`) : null),
      el('td', { class: t === null ? '' : 'ok' }, t === null ? 'not on this checkpoint' : `verified, signed ${iso(t)} (${ago(t)})`),
    ];
    if (seen) {
      const s = seen.get(w.name);
      cells.push(el('td', {}, s ? `size ${s.size}, received ${iso(Math.floor(Date.parse(s.received_at) / 1000))} (${ago(Date.parse(s.received_at) / 1000)})` : 'none received'));
    }
    rows.push(el('tr', {}, ...cells));
  }
  const heads = ['Witness', 'Cosignature of the checkpoint'].concat(seen ? ['Newest cosignature'] : []);
  const table = rows.length === 0
    ? el('p', {}, 'The descriptor names no witness.')
    : el('div', { class: 'table-wrap' }, el('table', { id },
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows)));
  const policy = el('p', {}, `Witness policy advised by the descriptor: quorum ${dir.payload.witness_policy?.quorum ?? 0} of ${dir.witnesses.length}.`);
  const holder = el('div', {}, table, policy);
  return holder;
}

/** The panel of a verified checkpoint: origin, size, root, signing time and the signature's status. */
function checkpointPanel(dir, checkpoint, status, sizeId) {
  const time = checkpoint?.claims?.time;
  return el('div', { class: 'panel' }, dl([
    ['Origin', dir.origin],
    ['Tree size', el('span', sizeId ? { id: sizeId } : {}, checkpoint ? String(checkpoint.size) : '?')],
    ['Root hash', checkpoint ? toBase64(checkpoint.root) : '?', true],
    ['Signed', time !== undefined ? `${iso(time)} (${ago(time)})` : 'no time line'],
    ['Checkpoint signature', status === 'valid' ? `ok: log key ${dir.logKey.name}` : `FAIL: ${status}`],
  ]));
}

/**
 * Keeps the checkpoint panel live: every REFRESH_MS while the page is visible, fetches the
 * newest checkpoint, verifies it under the log key, and replaces the panel when the size grew.
 */
const REFRESH_MS = 5000;

function followCheckpoint(dir, panel, shownSize) {
  let size = shownSize;
  setInterval(async () => {
    if (document.visibilityState !== 'visible') return;
    try {
      const response = await fetch('/log/checkpoint', { cache: 'no-store' });
      if (!response.ok) return;
      const cp = await verifyCheckpointNote(await response.text(), dir.logKey, dir.origin);
      if (cp.status !== 'valid' || cp.checkpoint.size <= size) return;
      size = cp.checkpoint.size;
      panel.replaceChildren(checkpointPanel(dir, cp.checkpoint, cp.status, 'log-size'));
    } catch {
      // The next round tries again; the panel keeps the last verified checkpoint.
    }
  }, REFRESH_MS);
}

async function showLog() {
  const log = $('log');
  const d = await descriptor();
  const parts = [];
  const checks = [];
  let dir = null;
  try {
    const domain = payloadDomain(d.body);
    $('domain').textContent = domain ? `· ${domain}` : '';
    dir = await trustDescriptor(d.body, domain, nowSeconds(), checks);
  } catch (e) {
    log.replaceChildren(verdict('fail', `FAIL ${e.code ?? 'error'}: ${e.message}`));
    return;
  }
  const response = await fetch('/log/checkpoint', { cache: 'no-store' });
  const noteText = await response.text();
  const cp = await verifyCheckpointNote(noteText, dir.logKey, dir.origin);
  const checkpoint = cp.checkpoint ?? parseCheckpoint(parseNote(noteText)?.text ?? '');
  const panel = el('div', { id: 'log-panel' }, checkpointPanel(dir, checkpoint, cp.status, 'log-size'));
  parts.push(panel);
  followCheckpoint(dir, panel, checkpoint?.size ?? -1n);
  const history = await getJson('/v1/log/history');
  const seen = new Map((history.body?.witnesses ?? []).map((w) => [w.witness.split('+')[0], w]));
  parts.push(el('h3', {}, 'Witnesses'), await witnessTable(dir, cp.note, seen, 'witnesses'));
  parts.push(el('h3', {}, 'Growth'));
  const growth = history.body?.growth ?? [];
  parts.push(growth.length > 0 ? chart(growth) : el('p', {}, 'No checkpoint yet.'));
  parts.push(el('h3', {}, 'Resets'), el('p', { id: 'reset-count' }, `${history.body?.resets ?? '?'} version(s) of all addresses were made by a reset (without the owner's key).`));
  const configChecks = [];
  const configuration = await getJson('/v1/configuration');
  const result = await run(async (c) => verifyConfiguration(dir, configuration.body, nowSeconds(), c));
  configChecks.push(...checks, ...result.checks);
  parts.push(el('h3', {}, 'Logged configuration'));
  if (result.ok) {
    const e = result.value.entry;
    parts.push(el('div', { class: 'panel', id: 'configuration' }, dl([
      ['Number', String(e.number)],
      ['POKs', e.poks.map((p) => toBase64(p)).join(' '), true],
      ['VRF key', toBase64(e.vrfKey), true],
      ['Log key', toBase64(e.logKey), true],
      ['Witness key', toBase64(e.witnessKey), true],
    ])));
  }
  parts.push(checkList({ ...result, checks: configChecks }, 'config-checks'));
  log.replaceChildren(...parts);
}

function start() {
  const params = new URLSearchParams(location.search);
  const address = params.get('address');
  if (address) {
    $('address').value = address;
    lookUp(address);
  }
  showLog().catch((e) => $('log').replaceChildren(verdict('fail', `The log could not be read: ${e.message}`)));
}

start();

/* Verify in the browser: check a ledger entry, or the log's checkpoint, without taking the server's word.
 *
 * The server gives only data: the entry's bytes on the record's page (data-entry), and from
 * GET /api/ledger/verification the log's verifier key, the signed checkpoint and the entry's audit path.
 * This script repeats, step by step, what the Python verifier does (truceline.ledger:
 * signing.Verifier.from_vkey, notes.verify_note and parse_checkpoint, merkle.hash_leaf and verify_inclusion,
 * merkle.verify_consistency), with WebCrypto's SHA-256 and Ed25519. docs/ledger.md §12.
 */
"use strict";

(function () {
  const ALG_ED25519 = 0x01; // https://c2sp.org/signed-note: Ed25519 note signatures
  const SIGNATURE_PREFIX = "\u2014 "; // "— " opens every signature line of a signed note
  const ENTRY_FIELDS = ["author", "commitment", "kind", "record_id", "seq", "time"];
  const STORE_PREFIX = "truceline.verified-checkpoint:";
  const utf8 = new TextEncoder();

  class Failure extends Error {}

  function fail(message) {
    throw new Failure(message);
  }

  // --- bytes ----------------------------------------------------------------------------------------

  const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

  function fromBase64(text, what) {
    // Standard base64 with padding (RFC 4648 §4), as docs/ledger.md requires; nothing else is accepted.
    if (typeof text !== "string" || !BASE64.test(text)) fail(`${what} is not standard base64`);
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  function toHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function sameBytes(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  // --- the Merkle tree (RFC 9162 §2.1) ---------------------------------------------------------------

  // RFC 9162 §2.1.1: 0x00 before a leaf and 0x01 before two children keep leaves and nodes apart.
  const hashLeaf = (data) => sha256(concat(Uint8Array.of(0x00), data));
  const hashChildren = (left, right) => sha256(concat(Uint8Array.of(0x01), left, right));

  async function verifyInclusion({ leafHash, index, size, proof, root }) {
    // RFC 9162 §2.1.3.2, as merkle.verify_inclusion. BigInt: JavaScript's bit operators stop at 32 bits.
    if (!(index >= 0 && index < size)) fail(`entry ${index} cannot be in a tree of ${size} entries`);
    let fn = BigInt(index);
    let sn = BigInt(size) - 1n;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0n) fail(`the audit path is too long for entry ${index} in a tree of ${size} entries`);
      if ((fn & 1n) === 1n || fn === sn) {
        r = await hashChildren(p, r);
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await hashChildren(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) fail(`the audit path is too short for entry ${index} in a tree of ${size} entries`);
    if (!sameBytes(r, root)) {
      fail(`the entry and its audit path lead to root ${toHex(r)}, but the signed checkpoint's root is ${toHex(root)}`);
    }
  }

  async function verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof }) {
    // RFC 9162 §2.1.4.2, as merkle.verify_consistency (0 < oldSize < newSize here).
    if (!proof.length) fail(`the consistency proof from ${oldSize} to ${newSize} entries is empty`);
    const path = [...proof];
    let fn = BigInt(oldSize) - 1n;
    let sn = BigInt(newSize) - 1n;
    if ((BigInt(oldSize) & (BigInt(oldSize) - 1n)) === 0n) path.unshift(oldRoot);
    while ((fn & 1n) === 1n) {
      fn >>= 1n;
      sn >>= 1n;
    }
    let fr = path[0];
    let sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0n) fail(`the consistency proof from ${oldSize} to ${newSize} entries is too long`);
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await hashChildren(c, fr);
        sr = await hashChildren(c, sr);
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        sr = await hashChildren(sr, c);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) fail(`the consistency proof from ${oldSize} to ${newSize} entries is too short`);
    if (!sameBytes(fr, oldRoot) || !sameBytes(sr, newRoot)) {
      fail(`the log of ${newSize} entries does not extend the one of ${oldSize} entries this browser checked before`);
    }
  }

  // --- keys and signed notes (C2SP signed-note, tlog-checkpoint) -------------------------------------

  function checkKeyName(name) {
    if (!name || name.includes("+") || /[\s\u0000-\u001f]/u.test(name)) fail(`${JSON.stringify(name)} is not a key name`);
  }

  async function parseLogKey(vkey) {
    // <name>+<hex8 key hash>+<base64(0x01 || 32-byte Ed25519 public key)>, as signing.Verifier.from_vkey.
    if (typeof vkey !== "string") fail("the server gave no log key");
    const first = vkey.indexOf("+");
    const second = vkey.indexOf("+", first + 1);
    if (first < 0 || second < 0) fail("the log key must look like <name>+<hex8>+<base64 key>");
    const name = vkey.slice(0, first);
    const statedHash = vkey.slice(first + 1, second);
    checkKeyName(name);
    if (!/^[0-9a-f]{8}$/.test(statedHash)) fail(`the log key's hash must be 8 lowercase hex digits, got ${statedHash}`);
    const raw = fromBase64(vkey.slice(second + 1), "the log key");
    if (raw.length !== 33 || raw[0] !== ALG_ED25519) fail("the log key must be an Ed25519 note key (0x01 and 32 bytes)");
    const publicKey = raw.slice(1);
    // Key hash = SHA-256(name || 0x0A || alg || public key)[0:4]
    const keyHash = (await sha256(concat(utf8.encode(name), Uint8Array.of(0x0a, ALG_ED25519), publicKey))).slice(0, 4);
    if (toHex(keyHash) !== statedHash) fail(`the log key states key hash ${statedHash}, but its hash is ${toHex(keyHash)}`);
    return { name, keyHash, publicKey, id: `${name}+${statedHash}`, vkey };
  }

  function parseNote(text) {
    // Split at the last blank line into the signed text and its signature lines, as notes.parse_note.
    if (typeof text !== "string" || !text.endsWith("\n")) fail("the signed checkpoint must end with a newline");
    const at = text.lastIndexOf("\n\n");
    if (at < 0) fail("the signed checkpoint has no blank line before its signatures");
    const body = text.slice(0, at + 1);
    const block = text.slice(at + 2);
    const lines = block ? block.slice(0, -1).split("\n") : [];
    if (!lines.length) fail("the signed checkpoint has no signature lines");
    const seen = new Set();
    const signatures = lines.map((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) fail("a signature line must start with an em dash and a space");
      const rest = line.slice(SIGNATURE_PREFIX.length);
      const space = rest.indexOf(" ");
      if (space < 0) fail("a signature line needs a key name and a signature");
      const name = rest.slice(0, space);
      checkKeyName(name);
      const raw = fromBase64(rest.slice(space + 1), `the signature by ${name}`);
      if (raw.length < 5) fail(`the signature by ${name} is too short`);
      const id = `${name}+${toHex(raw.slice(0, 4))}`;
      if (seen.has(id)) fail("the signed checkpoint has two signatures by the same key");
      seen.add(id);
      return { name, id, keyHash: raw.slice(0, 4), signature: raw.slice(4) };
    });
    return { body, signatures };
  }

  async function verifyLogSignature(note, key) {
    // A line by the log key must exist and verify; lines by other keys (witnesses) are not checked here.
    const mine = note.signatures.filter((s) => s.name === key.name && sameBytes(s.keyHash, key.keyHash));
    if (!mine.length) {
      fail(`the checkpoint carries no signature by the log key ${key.id} (it has ${note.signatures.map((s) => s.id).join(", ")})`);
    }
    if (mine[0].signature.length !== 64) fail(`the log's signature must be 64 bytes, got ${mine[0].signature.length}`);
    let publicKey;
    try {
      publicKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (err) {
      fail(`this browser cannot check Ed25519 signatures (WebCrypto says: ${err.message}); check offline instead`);
    }
    const valid = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, mine[0].signature, utf8.encode(note.body));
    if (!valid) fail(`the checkpoint's signature by key ${key.id} is not valid`);
  }

  function parseCheckpoint(body) {
    // origin, size (decimal, no leading zeros), base64 root hash, extension lines: notes.parse_checkpoint.
    const lines = body.slice(0, -1).split("\n");
    if (lines.length < 3) fail("the checkpoint needs an origin, a size and a root hash");
    const [origin, sizeText, rootText] = lines;
    if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
      fail(`the checkpoint's size ${JSON.stringify(sizeText)} is not a number`);
    }
    const root = fromBase64(rootText, "the checkpoint's root hash");
    if (root.length !== 32) fail(`the checkpoint's root hash must be 32 bytes, got ${root.length}`);
    return { origin, size: Number(sizeText), root };
  }

  async function checkedCheckpoint(data) {
    const key = await parseLogKey(data.log_key);
    const note = parseNote(data.checkpoint);
    await verifyLogSignature(note, key);
    const checkpoint = parseCheckpoint(note.body);
    // The log's key name is its origin (docs/ledger.md §4).
    if (checkpoint.origin !== key.name) fail(`the checkpoint is of log ${checkpoint.origin}, not of ${key.name}`);
    return { key, checkpoint };
  }

  // --- entries (docs/ledger.md §1) -------------------------------------------------------------------

  function checkedEntry(bytes, expected) {
    let entry;
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      entry = JSON.parse(text);
    } catch (err) {
      fail("the entry is not UTF-8 JSON");
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail("the entry is not a JSON object");
    const keys = Object.keys(entry).sort();
    if (keys.join() !== ENTRY_FIELDS.join()) fail(`the entry's fields are ${keys.join(", ")}, not the six of an entry`);
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) fail("the entry's seq is not an entry number");
    // RFC 8785 writes strings and safe integers as JSON.stringify does, keys sorted by UTF-16 code units
    // (the default sort), so canonical bytes re-encode to themselves.
    const canonical = JSON.stringify(Object.fromEntries(keys.map((k) => [k, entry[k]])));
    if (canonical !== text) fail("the entry's bytes are not its canonical JSON (RFC 8785)");
    if (entry.seq !== expected.seq) fail(`the server sent entry ${entry.seq}, not entry ${expected.seq}`);
    if ((expected.kind && entry.kind !== expected.kind) || (expected.recordId && entry.record_id !== expected.recordId)) {
      fail(`the entry is about ${entry.kind} ${entry.record_id}, not this record (${expected.kind} ${expected.recordId})`);
    }
    return entry;
  }

  // --- what the buttons do ---------------------------------------------------------------------------

  async function fetchData(seq) {
    const url = seq === null ? "/api/ledger/verification" : `/api/ledger/verification?seq=${seq}`;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      let detail = "";
      try {
        detail = (await response.json()).detail;
      } catch (err) {
        detail = response.statusText;
      }
      fail(`the server gave no data to check (HTTP ${response.status}: ${detail})`);
    }
    return response.json();
  }

  function when(data, checkpoint) {
    return data.checkpoint_time ? `of ${data.checkpoint_time} (${checkpoint.size} entries)` : `of ${checkpoint.size} entries`;
  }

  async function verifyEntry(box) {
    const seq = Number(box.dataset.seq);
    const data = await fetchData(seq);
    const { key, checkpoint } = await checkedCheckpoint(data);
    // What is checked is the entry this page shows (its bytes are on the page); the API's copy, given to
    // whoever may read the entry in the log's listing, must then be the same bytes.
    const bytes = fromBase64(box.dataset.entry || data.entry, "the entry");
    checkedEntry(bytes, { seq, kind: box.dataset.kind, recordId: box.dataset.recordId });
    const leafHash = await hashLeaf(bytes);
    if (!Array.isArray(data.proof)) fail("the server gave no audit path");
    const proof = data.proof.map((h, i) => fromBase64(h, `hash ${i + 1} of the audit path`));
    if (proof.some((h) => h.length !== 32)) fail("every hash of the audit path must be 32 bytes");
    await verifyInclusion({ leafHash, index: seq, size: checkpoint.size, proof, root: checkpoint.root });
    if (box.dataset.entry && data.entry && data.entry !== box.dataset.entry) {
      fail("the entry this page shows is in the log, but the ledger API serves other bytes for it");
    }
    return (
      `This record is entry ${seq} of the log (leaf hash ${toHex(leafHash)}); ` +
      `the log's signed checkpoint ${when(data, checkpoint)} includes it; ` +
      `signature by key ${key.id} is valid.`
    );
  }

  async function verifyLatestCheckpoint() {
    const data = await fetchData(null);
    const { key, checkpoint } = await checkedCheckpoint(data);
    const history = await checkAgainstEarlier(key, checkpoint);
    return `The log's checkpoint ${when(data, checkpoint)} is signed by key ${key.id}; the signature is valid. ${history}`;
  }

  async function checkAgainstEarlier(key, checkpoint) {
    // Like a witness: remember the last checkpoint verified here, and require every later one to extend it.
    let store;
    try {
      store = window.localStorage;
    } catch (err) {
      return "";
    }
    const slot = STORE_PREFIX + key.vkey;
    const earlier = JSON.parse(store.getItem(slot) || "null");
    const remember = () => store.setItem(slot, JSON.stringify({ size: checkpoint.size, root: btoa(String.fromCharCode(...checkpoint.root)) }));
    if (!earlier) {
      remember();
      return "This browser had not checked this log before; it will now check that later checkpoints extend this one.";
    }
    const oldRoot = fromBase64(earlier.root, "the remembered root");
    if (earlier.size === checkpoint.size) {
      if (!sameBytes(oldRoot, checkpoint.root)) fail(`two different logs of ${checkpoint.size} entries: this browser checked another root before`);
      return "It is the checkpoint this browser checked before.";
    }
    if (earlier.size > checkpoint.size) fail(`this browser checked a checkpoint of ${earlier.size} entries before; the log now shows only ${checkpoint.size}`);
    if (earlier.size > 0) {
      const response = await fetch(`/api/ledger/proof/consistency?old=${earlier.size}&new=${checkpoint.size}`, { headers: { Accept: "application/json" } });
      if (!response.ok) fail(`the server gave no consistency proof from ${earlier.size} entries (HTTP ${response.status})`);
      const proof = (await response.json()).proof.map((h, i) => fromBase64(h, `hash ${i + 1} of the consistency proof`));
      await verifyConsistency({ oldSize: earlier.size, newSize: checkpoint.size, oldRoot, newRoot: checkpoint.root, proof });
    }
    remember();
    return `It extends the checkpoint of ${earlier.size} entries this browser checked before.`;
  }

  async function run(box) {
    const result = box.querySelector(".verify-result");
    const button = box.querySelector("button");
    button.disabled = true;
    result.className = "verify-result";
    result.textContent = "Checking…";
    try {
      if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
        fail("this page is not served over HTTPS, so the browser offers no WebCrypto to check with; check offline instead");
      }
      const text = box.dataset.seq === undefined ? await verifyLatestCheckpoint() : await verifyEntry(box);
      result.classList.add("verify-ok");
      result.textContent = `Verified: ${text}`;
    } catch (err) {
      result.classList.add("verify-failed");
      const reason = err instanceof Failure ? err.message : `${err.name}: ${err.message}`;
      result.textContent = `Verification failed: ${reason}.`;
    } finally {
      button.disabled = false;
    }
  }

  function start() {
    for (const box of document.querySelectorAll(".verify")) {
      const button = box.querySelector("button");
      button.hidden = false; // without this script the button would do nothing, so it starts hidden
      button.addEventListener("click", () => run(box));
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/**
 * ECDSA P-256 / SHA-256 throughput: verifications per second through
 * @noble/curves (its defaults, the DSP's reference settings, and a
 * verification composed from noble's point arithmetic with the public key
 * parsed once and given a precomputed table — noble's `verify` takes key bytes
 * and parses them on every call) and through the DSP's node:crypto verifier
 * (key object cached; key object rebuilt per call as the baseline that shows
 * what the cache saves). Then signatures per second for the node:crypto signer
 * and the deterministic (RFC 6979) noble signer. Every verifier must accept
 * every signature it is timed on, so nothing is measured that does not work.
 *
 * Run: node --import tsx bench/signature.bench.ts
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keyPairFromSeed } from '../dsp/smki/key-pair.ts';
import { SignatureVerifier, createFastSigner, signDeterministic, verifyReference } from '../dsp/smki/signature.ts';

const MESSAGES = 64;
const MIN_MS = 1_000;
const ROUNDS = 3;

const keys = keyPairFromSeed('signature-bench', 'supplier:90-B3-D5-1F-30-01-00-00:ds');
// About the size of a signed DUIS request body.
const messages = Array.from({ length: MESSAGES }, (_, i) =>
  new TextEncoder().encode(`<sr:Body><sr:SR1.6 counter="${1000 + i}">${'x'.repeat(240)}</sr:SR1.6></sr:Body>`),
);
const signatures = messages.map((m) => signDeterministic(keys.privateKey, m));

// ---- noble with a pre-parsed, precomputed public key ----
const { Fn } = p256.Point;
const G = p256.Point.BASE;
const P = p256.Point.fromBytes(keys.publicKey).precompute(8, false);
const scalar = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex')}`);
/** SEC1 4.1.4 on noble's points: R = (h·s⁻¹)·G + (r·s⁻¹)·P, valid when R.x mod n = r. SHA-256 output is exactly 256 bits, so h needs no truncation. */
function noblePrecomputedVerify(sig: Uint8Array, message: Uint8Array): boolean {
  const r = scalar(sig.subarray(0, 32));
  const s = scalar(sig.subarray(32, 64));
  if (r === 0n || r >= Fn.ORDER || s === 0n || s >= Fn.ORDER) return false;
  const sInv = Fn.inv(s);
  const h = Fn.create(scalar(sha256(message)));
  const R = G.multiplyUnsafe(Fn.create(h * sInv)).add(P.multiplyUnsafe(Fn.create(r * sInv)));
  return !R.is0() && Fn.create(R.toAffine().x) === r;
}

const SPKI_P256 = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const verifier = new SignatureVerifier();
const loaded = verifier.load(keys.publicKey);
if (!loaded.ok) throw new Error(loaded.error.reason);
const key = loaded.value;
const fastSign = createFastSigner(keys);

type Op = (i: number) => boolean;
const verifiers: [string, Op][] = [
  ['noble verify, defaults (lowS: true)', (i) => p256.verify(signatures[i]!, messages[i]!, keys.publicKey)],
  ['noble verifyReference (lowS: false)', (i) => verifyReference(keys.publicKey, messages[i]!, signatures[i]!) === 'valid'],
  ['noble points, key parsed + precomputed (w=8)', (i) => noblePrecomputedVerify(signatures[i]!, messages[i]!)],
  [
    'node:crypto, key object built per call',
    (i) =>
      nodeVerify(
        'sha256',
        messages[i]!,
        {
          key: createPublicKey({ key: Buffer.concat([SPKI_P256, keys.publicKey]), format: 'der', type: 'spki' }),
          dsaEncoding: 'ieee-p1363',
        },
        signatures[i]!,
      ),
  ],
  ['SignatureVerifier.verify (key bytes, cache)', (i) => verifier.verify(keys.publicKey, messages[i]!, signatures[i]!) === 'valid'],
  ['SignatureVerifier.verifyWith (loaded key)', (i) => verifier.verifyWith(key, messages[i]!, signatures[i]!) === 'valid'],
];
const signers: [string, Op][] = [
  ['createFastSigner (node:crypto, low-S)', (i) => fastSign(messages[i]!).length === 64],
  ['signDeterministic (noble, RFC 6979)', (i) => signDeterministic(keys.privateKey, messages[i]!).length === 64],
];

/** Operations per second: best of ROUNDS runs of at least MIN_MS each. */
function measure(op: Op): number {
  for (let i = 0; i < MESSAGES; i++) if (!op(i)) throw new Error('an operation failed on a good input');
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let done = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < MIN_MS) {
      for (let i = 0; i < MESSAGES; i++) if (!op(i)) throw new Error('an operation failed on a good input');
      done += MESSAGES;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, done / (elapsed / 1000));
  }
  return best;
}

function table(title: string, unit: string, rows: [string, Op][]): void {
  console.log(`\n${title}`);
  console.log(`${'variant'.padEnd(46)} ${unit.padStart(10)}   µs/op`);
  for (const [name, op] of rows) {
    const perSecond = measure(op);
    console.log(
      `${name.padEnd(46)} ${Math.round(perSecond).toLocaleString('en-GB').padStart(10)}   ${(1e6 / perSecond).toFixed(1).padStart(6)}`,
    );
  }
}

console.log(
  `ECDSA P-256 / SHA-256, ${messages[0]!.length}-byte messages, best of ${ROUNDS} runs of ≥ ${MIN_MS} ms; Node ${process.version}`,
);
table('Verification', 'verifies/s', verifiers);
table('Signing', 'signs/s', signers);

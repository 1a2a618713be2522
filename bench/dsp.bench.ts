/**
 * Critical SR 1.6 end to end on the memory bus: the User signs its request
 * (XML signature), the DSP verifies it and returns a Pre-Command (CV 4), the
 * User signs the Pre-Command and sends it (CV 5), the DSP verifies both
 * signatures, checks the Pre-Command is the one it transformed, sends it over
 * the WAN; the comms hub routes it over the HAN; the meter checks the
 * signature against its trust anchor, changes payment mode and answers; the
 * DSP answers I0 to the User. Every message is protobuf-encoded and crosses
 * the bus.
 *
 * Beside it, in the same run:
 * - the verify limit: `SignatureVerifier.verify` alone. An SR 1.6 needs four
 *   verifications (two XML signatures and the Pre-Command at the DSP, the
 *   Pre-Command at the device) and three signatures (two XML, one
 *   Pre-Command), so signatures alone cap it at about verify/4;
 * - the DSP alone, without the bus and the devices (the same requests through
 *   `Dsp.submit` and a synthetic device response).
 *
 * Run: npm run bench:dsp [-- --premises 200 --rounds 10]
 */
import { createFastSigner, SignatureVerifier } from '../core/crypto/ecdsa.ts';
import { DAY_MS } from '../core/time/duration.ts';
import { VirtualClock } from '../core/time/virtual-clock.ts';
import { connectSampleEstate } from '../dsp/gateway/sample-estate.ts';
import { sampleWorld, SUPPLIER_A } from '../dsp/sample-world.ts';
import { MemoryBus } from '../emulator/bus/memory-bus.ts';
import { NetworkRunner } from '../emulator/network/runner.ts';
import { requestSignedContent } from '../proto/signed-content.ts';
import type { ServiceRequestBody } from '../proto/types.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PREMISES = arg('premises', 200);
const ROUNDS = arg('rounds', 10);
const T0 = Date.UTC(2026, 5, 2, 11);

/** Alternates Credit and Prepayment so every request changes the meter. */
const body = (round: number): ServiceRequestBody =>
  round % 2 === 0
    ? { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } }
    : {
        kind: 'updatePaymentMode',
        updatePaymentMode: {
          kind: 'prepayment',
          prepayment: { suspendDebtDisabled: false, suspendDebtEmergency: false, disablementThreshold: 0 },
        },
      };

async function endToEnd(): Promise<{ perSecond: number; completed: number }> {
  const world = sampleWorld({ premises: PREMISES, start: T0 - DAY_MS });
  const clock = new VirtualClock(T0);
  const runner = new NetworkRunner(clock, new MemoryBus(clock));
  const estate = await connectSampleEstate(world, runner);
  await runner.quiesce();
  const node = estate.user(world.supplierA);
  const user = world.supplierA;
  let completed = 0;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    // The User signs a batch at once (in the background, on every core), as a head-end would.
    const cv4s = await Promise.all(world.premises.map((p) => user.requestAsync(p.esme.id, '1.6', 4, body(round))));
    for (const r of cv4s) node.send(r);
    await runner.quiesce();
    const cv5s = await Promise.all(
      cv4s.map((r) => {
        const pre = node.lastResponse(r.header.requestId)?.preCommand;
        if (pre === undefined) throw new Error(`no Pre-Command for ${r.header.requestId}`);
        return user.signedSendAsync(r, pre, 5);
      }),
    );
    for (const r of cv5s) node.send(r);
    await runner.quiesce();
    for (const r of cv4s) {
      const last = node.lastResponse(r.header.requestId);
      if (last?.responseCode !== 'I0' || last.body['deviceOutcome'] !== 'success')
        throw new Error(`${r.header.requestId}: ${JSON.stringify(last)}`);
      completed++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (world.dsp.ledger.inFlight().length !== 0) throw new Error('requests left in flight');
  return { perSecond: completed / seconds, completed };
}

function dspAlone(): number {
  const world = sampleWorld({ premises: PREMISES, start: T0 - DAY_MS });
  const user = world.supplierA;
  let at = T0;
  let done = 0;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of world.premises) {
      const cv4 = user.request(p.esme.id, '1.6', 4, body(round));
      const pre = world.dsp.submit(SUPPLIER_A, cv4, at).find((o) => o.kind === 'response')?.response.preCommand;
      if (pre === undefined) throw new Error('no Pre-Command');
      const sent = world.dsp.submit(SUPPLIER_A, user.signedSend(cv4, pre, 5), at);
      const command = sent.find((o) => o.kind === 'command');
      if (command?.kind !== 'command') throw new Error('not sent');
      // The device's signature check, as the meter makes it.
      const auth = command.command.authorisation;
      if (
        auth === undefined ||
        verifier.verify(world.supplierASigning.certificate.publicKey, auth.preCommand, auth.signature) !== 'valid'
      ) {
        throw new Error('device would refuse');
      }
      world.dsp.deviceResponse(
        p.hub,
        { commsHub: p.hub, device: p.esme.id, response: { ref: cv4.header.requestId, command: 'modeSet', outcome: 'success' } },
        at,
      );
      done++;
      at += 1;
    }
  }
  return done / ((performance.now() - started) / 1000);
}

const verifier = new SignatureVerifier();

function verifyLimit(): { verify: number; sign: number } {
  const world = sampleWorld({ premises: 1 });
  const r = world.supplierA.request(world.premises[0]!.esme.id, '1.6', 4, body(0));
  const msg = requestSignedContent(r);
  const sig = r.xmlSignature!.signature;
  const pub = world.supplierASigning.certificate.publicKey;
  const key = { privateKey: world.supplierASigning.privateKey, publicKey: pub };
  const n = 20_000;
  let t = performance.now();
  for (let i = 0; i < n; i++) verifier.verify(world.smki.bySerial(r.xmlSignature!.certificateSerial)!.publicKey, msg, sig);
  const verify = n / ((performance.now() - t) / 1000);
  const sign = createFastSigner(key);
  t = performance.now();
  for (let i = 0; i < n; i++) sign(msg);
  const signs = n / ((performance.now() - t) / 1000);
  return { verify, sign: signs };
}

async function main(): Promise<void> {
  console.log(`SR 1.6 end to end: ${PREMISES} ESMEs × ${ROUNDS} rounds, Node ${process.version}`);
  if (process.argv.includes('--only-e2e')) {
    // For profiling the end-to-end path alone.
    console.log(`SR 1.6 end to end on the memory bus: ${Math.round((await endToEnd()).perSecond)} /s`);
    return;
  }
  verifyLimit();
  dspAlone();
  await endToEnd(); // warm-up
  const runs = 3;
  const e2e: number[] = [];
  const alone: number[] = [];
  const limits: { verify: number; sign: number }[] = [];
  for (let i = 0; i < runs; i++) {
    limits.push(verifyLimit());
    alone.push(dspAlone());
    e2e.push((await endToEnd()).perSecond);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const verify = median(limits.map((l) => l.verify));
  const sign = median(limits.map((l) => l.sign));
  // Per SR 1.6: 4 verifications and 3 signatures.
  const cryptoLimit = 1 / (4 / verify + 3 / sign);
  const rows: [string, number][] = [
    ['ECDSA verify (node:crypto, cached key)', verify],
    ['ECDSA sign (node:crypto, low-S)', sign],
    ['crypto limit: 1 / (4/verify + 3/sign) SR 1.6', cryptoLimit],
    ['SR 1.6, DSP alone (no bus)', median(alone)],
    ['SR 1.6 end to end on the memory bus', median(e2e)],
  ];
  for (const [name, v] of rows) console.log(`${name.padEnd(48)} ${Math.round(v).toLocaleString('en-GB').padStart(8)} /s`);
  console.log(`end to end / crypto limit: ${((median(e2e) / cryptoLimit) * 100).toFixed(0)} %   (median of ${runs})`);
}

await main();

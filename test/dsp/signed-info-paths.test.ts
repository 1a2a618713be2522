import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRequestId } from '../../core/ids.ts';
import { SignatureVerifier } from '../../core/crypto/ecdsa.ts';
import { unwrap } from '../../core/result.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { acceptRequest, writeRequest } from '../../dsp/duis-xml/duis-gateway.ts';
import { formatDuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { connectSampleEstate } from '../../dsp/gateway/sample-estate.ts';
import { sampleWorld, SUPPLIER_A, type SampleWorld } from '../../dsp/sample-world.ts';
import { REMOTE_PARTY_ROLE } from '../../dsp/smki/certificate.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { NetworkRunner } from '../../emulator/network/runner.ts';
import type { ServiceRequest } from '../../proto/types.ts';

/**
 * A request carrying `xmlSignature.signedInfo` is signed over its DUIS XML
 * document's SignedInfo, and the DSP trusts the XML gateway to have checked
 * that SignedInfo's digest against the document. On the bus there is no
 * document: the DSP node refuses such a request (X2) rather than let a client
 * pair a SignedInfo it once signed with any request. `Dsp.prime` checks in the
 * background what the xml-signature stage will verify. // docs/duis-xml.md "In the DSP: the signed_info path"
 */

const T0 = Date.UTC(2026, 5, 2, 11);
const FOREVER = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31) };

/** Supplier A's SR 7.4 (CV 1) as the XML gateway hands it to the DSP: read from a signed document, with its SignedInfo. */
function fromXml(w: SampleWorld, counter: bigint): ServiceRequest {
  // Supplier A's client signs DUIS XML with an XML-signing credential of its own (a renewal of the twin's).
  const xmlKey = w.smki.issueOrganisation(SUPPLIER_A, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
  const esme = w.premises[0]!.esme.id;
  const xml = unwrap(
    writeRequest(
      {
        header: {
          requestId: formatRequestId({ originator: SUPPLIER_A, target: esme, counter }),
          commandVariant: 1,
          serviceReference: '7.4',
          serviceReferenceVariant: '7.4',
        },
        kind: 'readSupplyStatus',
        readSupplyStatus: {},
      },
      xmlKey,
    ),
  );
  const accepted = acceptRequest(xml, { userRole: 'IS', certificates: w.smki });
  if (!accepted.ok) throw new Error(formatDuisXmlError(accepted.error));
  return accepted.value.request;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the DSP node on the bus refuses a request with signed_info // docs/duis-xml.md', () => {
  it('X2 "signed_info only through the XML gateway"; never submitted, no command; the same request from the gateway is I99', async () => {
    const w = sampleWorld({ premises: 1, start: T0 - DAY_MS });
    const clock = new VirtualClock(T0);
    const runner = new NetworkRunner(clock, new MemoryBus(clock));
    const estate = await connectSampleEstate(w, runner);
    await runner.quiesce();
    const req = fromXml(w, 500n);
    expect(req.xmlSignature?.signedInfo?.length).toBeGreaterThan(0);
    const node = estate.user(w.supplierA);
    const rejectedBefore = w.dsp.stats.rejectedInput;
    node.send(req);
    await runner.quiesce();
    const answers = node.responsesTo(req.header.requestId);
    expect(answers.map((r) => r.responseCode)).toEqual(['X2']);
    expect(answers[0]!.body['reason']).toMatch(/^signed_info only through the XML gateway/);
    expect(estate.dspNode.stats.signedInfoRefused).toBe(1);
    expect(w.dsp.stats.rejectedInput).toBe(rejectedBefore + 1);
    expect(w.dsp.ledger.totals().received).toBe(0);
    expect(w.dsp.inFlight()).toHaveLength(0);

    // The signature itself is good: handed over by the XML gateway (in process), the DSP takes it.
    const out = w.dsp.submit(SUPPLIER_A, req, clock.now());
    expect(out.flatMap((o) => (o.kind === 'response' ? [o.response.responseCode] : []))).toEqual(['I99']);
  });

  it('a request over the bus without signed_info goes on as before', async () => {
    const w = sampleWorld({ premises: 1, start: T0 - DAY_MS });
    const clock = new VirtualClock(T0);
    const runner = new NetworkRunner(clock, new MemoryBus(clock));
    const estate = await connectSampleEstate(w, runner);
    await runner.quiesce();
    const req = w.supplierA.request(w.premises[0]!.esme.id, '7.4', 1, { kind: 'readSupplyStatus', readSupplyStatus: {} });
    const node = estate.user(w.supplierA);
    node.send(req);
    await runner.quiesce();
    expect(node.responsesTo(req.header.requestId).map((r) => r.responseCode)).toEqual(['I99', 'I0']);
    expect(estate.dspNode.stats.signedInfoRefused).toBe(0);
  });
});

describe('Dsp.prime checks what the xml-signature stage will verify', () => {
  it('over the SignedInfo when the request has one, over the twin’s encoding otherwise; the verdict is then used', async () => {
    const w = sampleWorld({ premises: 1, start: T0 - DAY_MS });
    const primed = vi.spyOn(SignatureVerifier.prototype, 'prime');
    const req = fromXml(w, 600n);
    await w.dsp.prime(req, T0);
    const sig = req.xmlSignature!;
    expect(primed).toHaveBeenCalledWith(expect.any(Uint8Array), sig.signedInfo, sig.signature);

    primed.mockClear();
    const plain = w.supplierA.request(w.premises[0]!.esme.id, '7.4', 1, { kind: 'readSupplyStatus', readSupplyStatus: {} });
    await w.dsp.prime(plain, T0);
    expect(primed).toHaveBeenCalledTimes(1);
    expect(primed.mock.calls[0]![1]).not.toEqual(sig.signedInfo);

    // A primed SignedInfo verdict is what submit finds: the request is accepted.
    const out = w.dsp.submit(SUPPLIER_A, req, T0);
    expect(out.flatMap((o) => (o.kind === 'response' ? [o.response.responseCode] : []))).toEqual(['I99']);
  });
});

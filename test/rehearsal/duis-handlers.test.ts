import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import type { DuisXmlErrorCode } from '../../dsp/duis-xml/index.ts';
import { rehearsalWorld, type RehearsalWorld } from '../../rehearsal/rehearsal-world.ts';
import { BAD_REQUEST_CODES, refusalCode, SERVICE_COMMAND_VARIANTS, userRoleOf } from '../../rehearsal/duis-handlers.ts';
import { DUIS_SERVICES } from '../../rehearsal/duis-slot.ts';
import { FAILED_SUPPLIER, SRP_ID } from '../../scenarios/runner/solr-world.ts';

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

async function built(policy: 'mp134b' | 'mp134a'): Promise<RehearsalWorld> {
  const r = await rehearsalWorld({ scenario: SMALL_SOLR, premises: 4, policy });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('the DUIS XML gateway’s rules // DOMAIN §4.2, §4.4, §4.6', () => {
  it('each Command Variant 1–8 belongs to exactly one web service: 1, 3, 5, 7 Send Command; 4 Transform; 2, 6, 8 Non-Device', () => {
    const all = DUIS_SERVICES.flatMap((s) => SERVICE_COMMAND_VARIANTS[s]).sort();
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(SERVICE_COMMAND_VARIANTS.serviceT).toEqual([4]);
  });

  it('a refusal of the XML layer: X12 for an unknown certificate, X2 for any other signature fault, X1 for the rest', () => {
    const codes: Record<DuisXmlErrorCode, string> = {
      'xml-too-large': 'X1',
      'xml-too-deep': 'X1',
      'xml-dtd-refused': 'X1',
      'xml-entity-refused': 'X1',
      'xml-external-entity-refused': 'X1',
      'xml-pi-refused': 'X1',
      'xml-encoding': 'X1',
      'xml-malformed': 'X1',
      'signature-missing': 'X2',
      'signature-malformed': 'X2',
      'signature-unsupported-algorithm': 'X2',
      'signature-unsupported-reference': 'X2',
      'signature-digest-mismatch': 'X2',
      'signature-bad-value': 'X2',
      'signature-unknown-certificate': 'X12',
      'signature-invalid': 'X2',
      'duis-structure': 'X1',
      'duis-field': 'X1',
    };
    for (const [e, code] of Object.entries(codes)) expect([e, refusalCode(e as DuisXmlErrorCode)]).toEqual([e, code]);
    // Every one of them, and the DSP's certificate and signature refusals, is an HTTP 400.
    expect([...BAD_REQUEST_CODES].sort()).toEqual(['X1', 'X12', 'X2', 'X3']);
  });

  it('the User Role comes from the sender’s registry record: SC for the SRP; a supplier in GS for a gas meter, IS otherwise', async () => {
    const b = await built('mp134b');
    const esme = b.world.meters.find((m) => m.slot.fuel === 'electricity')!.id;
    const gsme = b.world.meters.find((m) => m.slot.fuel === 'gas')!.id;
    expect(userRoleOf(b.world, SRP_ID, esme)).toBe('SC');
    expect(userRoleOf(b.world, SRP_ID, gsme)).toBe('SC');
    expect(userRoleOf(b.world, FAILED_SUPPLIER, esme)).toBe('IS');
    expect(userRoleOf(b.world, FAILED_SUPPLIER, gsme)).toBe('GS');
    expect(userRoleOf(b.world, b.party('dno')!.id, esme)).toBe('ED');
    // Not a User: no role (the DSP answers E1).
    expect(userRoleOf(b.world, '01-02-03-04-05-06-07-08' as Eui64, esme)).toBe('');
    // Without the SoLR Contingency role the SRP is the failed supplier itself.
    const a = await built('mp134a');
    expect(a.party('srp')!.id).toBe(FAILED_SUPPLIER);
  });
});

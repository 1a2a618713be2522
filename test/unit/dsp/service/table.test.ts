import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import { HOUR_MS } from '../../../../core/time/duration.ts';
import { MATRIX_ROLES, type Role } from '../../../../dsp/access/roles.ts';
import { SRV_CATALOGUE, type SrvEntry } from '../../../../dsp/access/srv-catalogue.ts';
import { sampleWorld, type SampleWorld } from '../../../../dsp/sample-world.ts';
import { REMOTE_PARTY_ROLE } from '../../../../dsp/smki/certificate.ts';
import { DuisUser } from '../../../../dsp/user/duis-user.ts';
import { bodyFor, commands, FOREVER, OPAQUE, onlyCode, solrReady } from './support.ts';

/**
 * Every role × every SRV × CV 1..8 through `Dsp.submit`: where the access matrix refuses, the DSP
 * answers with exactly the matrix's code and sends nothing; where it allows, no matrix code comes
 * back. The expectation is read from the catalogue row, not from the DSP's matrix. // DOMAIN §4.4, §4.9; MP134B req 3
 */

/** SRVs of valid syntax that are not in the catalogue (`4.1` is a Service Reference that exists only as variants). */
const UNKNOWN_SRVS = ['1.3', '4.1', '99.9', '6.2.99'];

/** What the matrix says for a request, from the catalogue: its refusal code, or undefined when it allows. */
function matrixCode(role: Role, entry: SrvEntry | undefined, cv: number): 'X11' | 'E2' | 'E12' | undefined {
  if (entry === undefined) return 'X11';
  const eligible = role === 'SoLRContingency' ? entry.srv === '1.6' : entry.roles.includes(role);
  if (!eligible) return 'E2';
  return entry.commandVariants.includes(cv as never) ? undefined : 'E12';
}

/** A User holding only `role`, with its own XML-signing certificate; SoLR Contingency is the sample world's SRP. */
function userFor(w: SampleWorld, role: Role, index: number): DuisUser {
  if (role === 'SoLRContingency') return w.srp;
  const id: Eui64 = eui64FromIndex(0x90b3d5ee, index);
  w.registry.addUser({
    id,
    name: `${role} user`,
    party: role === 'IS' || role === 'GS' || role === 'ES' ? 'Supplier' : 'Other',
    roles: [role],
  });
  return new DuisUser({ id, role, xml: w.smki.issueOrganisation(id, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER) });
}

/** A target of a type the SRV applies to, so that an allowed request is judged on its device and not refused for its type. */
function targetFor(w: SampleWorld, entry: SrvEntry | undefined): Eui64 {
  const p = w.premises[0]!;
  return entry?.useCases.every((u) => u.startsWith('GCS')) === true ? p.gsme.id : p.esme.id;
}

describe('the access matrix through Dsp.submit (every role × SRV × CV)', () => {
  for (const [index, role] of [...MATRIX_ROLES, 'SoLRContingency' as const].entries()) {
    it(`role ${role}: a matrix refusal is exactly X11, E2 or E12 and sends nothing; an allowed request gets no matrix code`, () => {
      const w = sampleWorld({ premises: 1 });
      const t = w.start + HOUR_MS;
      solrReady(w, t);
      const user = userFor(w, role, index);
      let at = t;
      const tally = { refused: 0, allowed: 0 };
      const rows: [string, SrvEntry | undefined][] = [
        ...SRV_CATALOGUE.map((e): [string, SrvEntry] => [e.srv, e]),
        ...UNKNOWN_SRVS.map((s): [string, undefined] => [s, undefined]),
      ];
      for (const [srv, entry] of rows) {
        const target = targetFor(w, entry);
        for (let cv = 1; cv <= 8; cv++) {
          const out = w.dsp.submit(user.id, user.request(target, srv, cv, entry === undefined ? OPAQUE : bodyFor(srv)), ++at);
          const code = onlyCode(out);
          const expected = matrixCode(role, entry, cv);
          const what = `${role} SRV ${srv} CV ${cv}`;
          if (expected !== undefined) {
            tally.refused++;
            expect(code, what).toBe(expected);
            expect(commands(out), what).toEqual([]);
          } else {
            tally.allowed++;
            expect(['X11', 'E2', 'E12'], `${what} got ${code}`).not.toContain(code);
          }
        }
      }
      // Every row was submitted under every CV, and the catalogue lets each role send something.
      expect(tally.refused + tally.allowed).toBe(rows.length * 8);
      expect(tally.allowed).toBeGreaterThan(0);
      expect(w.dsp.ledger.totals().received).toBe(rows.length * 8);
    });
  }
});

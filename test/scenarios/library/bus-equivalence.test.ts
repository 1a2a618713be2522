import { describe, expect, it } from 'vitest';
import type { Report } from '../../../scenarios/report/report-model.ts';
import { LIBRARY } from '../../../scenarios/library/index.ts';

/** A report without the fields that name the machine and the bus. */
const comparable = (r: Report): unknown => ({ ...r, run: { ...r.run, wallClockSeconds: 0, bus: '' } });

describe('one scenario, the same report in process, on the memory bus and on the embedded MQTT broker', () => {
  it('solr-disorderly-exit (none and MP134B): outcomes, requests, alerts and the audit trail head agree', async () => {
    const flagship = LIBRARY.get('solr-disorderly-exit')!;
    const o = { premises: 30, days: 5, seed: 'bus', policies: ['none', 'mp134b'] as const };
    const direct = await flagship.run({ ...o, policies: [...o.policies] });
    const memory = await flagship.run({ ...o, policies: [...o.policies], bus: { kind: 'memory' } });
    const embedded = await flagship.run({ ...o, policies: [...o.policies], bus: { kind: 'embedded' } });
    expect(memory.run.bus).toBe('memory');
    expect(embedded.run.bus).toBe('embedded MQTT broker (aedes)');
    // The run did something worth comparing: requests refused under none, meters switched under MP134B.
    expect(direct.policies.map((p) => Object.keys(p.serviceRequests[0]?.byCode ?? {}))).toEqual([['X3'], ['I0']]);
    expect(comparable(memory)).toEqual(comparable(direct));
    expect(comparable(embedded)).toEqual(comparable(memory));
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { summaryText } from '../../../cli/run-scenario.ts';
import { LIBRARY } from '../../../scenarios/library/index.ts';

/**
 * The flagship's summary at a fixed size and seed, word for word. A change
 * here is a change in what the twin says happens to consumers: if it is
 * meant, update the golden text and say why in the commit.
 */
const GOLDEN = `solr-disorderly-exit: 400 homes, 14 days from 2027-01-04T00:00:00Z, seed golden

policy         prepayment homes  ever off  home-hours off  safe mode p50 / p95
none                        163        98           7,994                never
mp134b                      163         3              30        2.1 h / 2.5 h

none: requests 90-B3-D5-1F-30-01-00-00: X3×280
mp134b: requests 90-B3-D5-1F-30-05-00-00: I0×560

✓ prepayment consumers on supply when the SRP acts stay on supply until the SoLR takes over
✓ consumers already off for lack of credit are re-armed
✓ the self-disconnected are re-armed, not switched on
✓ every SR 1.6 from the SRP is Credit-only
`;

describe('solr-disorderly-exit golden summary', () => {
  it('400 homes, 14 days, seed "golden", none and MP134B', async () => {
    const report = await LIBRARY.get('solr-disorderly-exit')!.run({
      premises: 400,
      days: 14,
      seed: 'golden',
      policies: ['none', 'mp134b'],
    });
    expect(summaryText(report)).toBe(GOLDEN);
  });
});

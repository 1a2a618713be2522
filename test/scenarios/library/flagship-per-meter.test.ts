import { describe, expect, it } from 'vitest';
import { flagshipAssertions, flagshipPlans } from '../../../scenarios/library/solr-disorderly-exit.ts';
import { playSolr } from '../../../scenarios/runner/play-solr.ts';

describe('the flagship judges each meter from when the SRP acts on it // MP134B req 5', () => {
  // A slow SRP: its batch takes about three days, so some meters run out of credit before their turn.
  const [plan] = flagshipPlans({ premises: 200, days: 10, srpPerHour: 2, policies: ['mp134b'] });
  if (plan === undefined) throw new Error('no plan');
  const run = playSolr(plan);
  const start = plan.steps.srpSwitch?.start ?? Number.NaN;
  const offAt = (intervals: readonly { from: number; to: number; cause: string }[], t: number): string | null =>
    intervals.find((i) => i.from <= t && t < i.to)?.cause ?? null;

  it('counts a meter that ran out before its turn as off when the SRP acted, and re-arms it', () => {
    const ranOutBeforeTurn = run.instructed.meters.filter((m) => {
      const sent = run.world.firstSent.get(m.id);
      return sent !== undefined && offAt(m.slot.timeline.intervals, start) === null && offAt(m.slot.timeline.intervals, sent) === 'credit';
    });
    expect(ranOutBeforeTurn.length).toBeGreaterThan(0);
    for (const m of ranOutBeforeTurn) expect(run.world.creditAt.get(m.id)).toBeDefined();
  });

  it('keeps every promise', () => {
    const failed = flagshipAssertions(run).filter((a) => !a.passed);
    expect(failed.map((a) => `${a.name}: ${a.actual}`)).toEqual([]);
  });
});

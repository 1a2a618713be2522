import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { WEEKDAY_NOON, type MeterKind } from '../support/meter-harness.ts';
import {
  STATES,
  TRANSITIONS,
  advance,
  commandArbs,
  enableLocal,
  newSystem,
  remote,
  runPath,
  setMode,
  startArb,
  takeEc,
  topUp,
  type Start,
} from '../support/meter-model.ts';

const start = (balance: number): Start => ({ at: WEEKDAY_NOON, balance, mode: 'Prepayment', wh: 500 });

describe.each(['esme', 'gsme'] as const)('%s model', (kind: MeterKind) => {
  const coverage = new Set<string>();
  const name = kind.toUpperCase();

  it(`DOMAIN §1.4–§1.7: the ${name} agrees with the supply-state model over random command sequences`, () => {
    fc.assert(
      fc.property(startArb, fc.commands(commandArbs(), { maxCommands: 40, size: 'max' }), (s, cmds) => {
        fc.modelRun(() => newSystem(kind, s, coverage), cmds);
      }),
    );
  });

  it('DOMAIN §1.5–§1.7: explicit paths through every transition agree with the model', () => {
    runPath(
      kind,
      start(pounds(3)),
      [
        advance(2 * DAY_MS),
        topUp(1000, 'meter'),
        enableLocal('ppmid'),
        remote('supply.disable'),
        remote('supply.arm'),
        remote('supply.disable'),
        remote('supply.enable'),
        remote('supply.disable'),
        remote('supply.arm'),
        remote('supply.enable'),
      ],
      coverage,
    );
    runPath(kind, start(0), [takeEc('ppmid'), enableLocal('meter')], coverage);
    runPath(kind, start(0), [setMode('Credit'), advance(DAY_MS), enableLocal('meter')], coverage);
    runPath(kind, start(0), [topUp(20, 'remote'), advance(3 * DAY_MS)], coverage);
  });

  it('DOMAIN §1.5: every supply state and every transition between them was reached', () => {
    const missing = [...STATES, ...TRANSITIONS[kind]].filter((x) => !coverage.has(x));
    expect(missing).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { MachineStepper } from '../../../emulator/devices/common/machine-stepper.ts';
import {
  gpfMachine,
  gpfDue,
  ALERT_GSME_COMMAND_NOT_RETRIEVED,
  DEFAULT_COLLECT_WITHIN_MS,
  type GpfEvent,
} from '../../../emulator/devices/gpf/machine.ts';
import type { RemoteCommand } from '../../../emulator/devices/chf/hub-messages.ts';
import { MINUTE_MS } from '../../../core/time/duration.ts';

const stepper = new MachineStepper(gpfMachine);
const now = Date.UTC(2026, 0, 5, 12);
const GPF = '00-DB-12-00-00-00-10-02';
const GSME = '00-DB-12-00-00-00-00-03';
const command = (ref: string): RemoteCommand => ({ ref, target: GSME, command: { type: 'read.balance', now } });

function gpf() {
  let s = stepper.start({ id: GPF, gsme: GSME }).snapshot;
  const send = (e: GpfEvent) => {
    const r = stepper.step(s, e);
    s = r.snapshot;
    return r.effects;
  };
  return {
    send,
    get context() {
      return s.context;
    },
  };
}

describe('GPF', () => {
  it('DOMAIN §3.2, §3.4: holds commands until the GSME polls, then hands them over oldest first', () => {
    const g = gpf();
    g.send({ type: 'command.hold', now, command: command('a') });
    g.send({ type: 'command.hold', now: now + MINUTE_MS, command: command('b') });
    expect(g.send({ type: 'gsme.poll', now: now + 20 * MINUTE_MS })).toEqual([
      { type: 'handOver', params: { command: command('a') } },
      { type: 'handOver', params: { command: command('b') } },
    ]);
    expect(g.send({ type: 'gsme.poll', now: now + 50 * MINUTE_MS })).toEqual([]);
  });

  it('DOMAIN §3.2, §3.4: a command not collected in time raises 0x819D once, and is still handed over later', () => {
    const g = gpf();
    g.send({ type: 'command.hold', now, command: command('a') });
    const due = gpfDue(g.context);
    expect(due).toBe(now + DEFAULT_COLLECT_WITHIN_MS);
    expect(g.send({ type: 'clock.due', now: due - 1 })).toEqual([]);
    expect(g.send({ type: 'clock.due', now: due })).toEqual([
      { type: 'alert', params: { device: GPF, code: ALERT_GSME_COMMAND_NOT_RETRIEVED, at: due, ref: 'a' } },
    ]);
    expect(g.send({ type: 'clock.due', now: due + MINUTE_MS })).toEqual([]);
    expect(gpfDue(g.context)).toBe(Infinity);
    expect(g.send({ type: 'gsme.poll', now: due + 2 * MINUTE_MS })).toHaveLength(1);
  });

  it('DOMAIN §3.1 [SECMP0015]: reads are answered from the mirror, stamped with when the GSME pushed it', () => {
    const g = gpf();
    expect(g.send({ type: 'read.mirror', now, ref: 'r' })).toEqual([{ type: 'respond', params: { ref: 'r', mirror: null } }]);
    g.send({ type: 'gsme.mirror', now, values: { MeterBalance: 1_234_000 } });
    expect(g.send({ type: 'read.mirror', now: now + 25 * MINUTE_MS, ref: 'r' })).toEqual([
      { type: 'respond', params: { ref: 'r', mirror: { at: now, values: { MeterBalance: 1_234_000 } } } },
    ]);
  });
});

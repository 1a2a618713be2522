import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MachineStepper } from '../../../emulator/devices/common/machine-stepper.ts';
import { chfMachine, ALERT_UNDELIVERED_TO_ESME, type ChfEvent } from '../../../emulator/devices/chf/machine.ts';
import type { RemoteCommand } from '../../../emulator/devices/chf/hub-messages.ts';

const stepper = new MachineStepper(chfMachine);
const now = Date.UTC(2026, 0, 5, 12);
const CH = '00-DB-12-00-00-00-10-01';
const ESME = '00-DB-12-00-00-00-00-02';
const GSME = '00-DB-12-00-00-00-00-03';
const STRANGER = '00-DB-12-00-00-00-00-99';

const command = (target: string, ref = 'r1'): RemoteCommand => ({ ref, target, command: { type: 'read.supplyStatus', now } });
const alert = (device: string, code = 0x810d, at = now) => ({ device, code, at });

function hub(queueLimit?: number) {
  let s = stepper.start({ id: CH, ...(queueLimit !== undefined ? { queueLimit } : {}) }).snapshot;
  const send = (e: ChfEvent) => {
    const r = stepper.step(s, e);
    s = r.snapshot;
    return r.effects;
  };
  send({ type: 'han.join', now, device: ESME, deviceType: 'ESME' });
  send({ type: 'han.join', now, device: GSME, deviceType: 'GSME' });
  return {
    send,
    get snapshot() {
      return s;
    },
  };
}

describe('CHF', () => {
  it("DOMAIN §3.1: routes a WAN command to a joined HAN device; the GSME's goes to the GPF", () => {
    const h = hub();
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })).toEqual([
      { type: 'toHan', params: { device: ESME, command: command(ESME) } },
    ]);
    expect(h.send({ type: 'wan.command', now, command: command(GSME) })).toEqual([{ type: 'toGpf', params: { command: command(GSME) } }]);
  });

  it('DOMAIN §3.1: only devices on the device log talk; unjoin removes one', () => {
    const h = hub();
    expect(h.send({ type: 'wan.command', now, command: command(STRANGER) })).toEqual([
      { type: 'undeliverable', params: { ref: 'r1', target: STRANGER, reason: 'not-joined' } },
    ]);
    expect(h.send({ type: 'han.alert', now, alert: alert(STRANGER) })).toEqual([]);
    expect(h.snapshot.context.droppedFromUnjoined).toBe(1);
    h.send({ type: 'han.unjoin', now, device: ESME });
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })[0]).toMatchObject({ type: 'undeliverable' });
  });

  it('DOMAIN §3.2: a command the hub cannot deliver to the ESME raises 0x8F84', () => {
    const h = hub();
    h.send({ type: 'han.link', now, device: ESME, up: false });
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })).toEqual([
      { type: 'undeliverable', params: { ref: 'r1', target: ESME, reason: 'han-link-down' } },
      { type: 'toWan', params: { alert: { device: CH, code: ALERT_UNDELIVERED_TO_ESME, at: now } } },
    ]);
    h.send({ type: 'han.link', now, device: ESME, up: true });
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })[0]).toMatchObject({ type: 'toHan' });
  });

  it('DOMAIN §3.3: alerts raised during a WAN outage are delivered in order when it returns; replies are lost', () => {
    const h = hub();
    h.send({ type: 'wan.link', now, up: false });
    expect(h.send({ type: 'han.alert', now, alert: alert(ESME, 0x810d, now) })).toEqual([]);
    expect(h.send({ type: 'han.alert', now, alert: alert(GSME, 0x8f0f, now + 1) })).toEqual([]);
    h.send({
      type: 'han.reply',
      now,
      reply: { device: ESME, ref: 'r9', response: { ref: 'r9', command: 'read.balance', outcome: 'success' } },
    });
    expect(h.snapshot.context.repliesLost).toBe(1);
    expect(h.send({ type: 'wan.link', now, up: true })).toEqual([
      { type: 'toWan', params: { alert: alert(ESME, 0x810d, now) } },
      { type: 'toWan', params: { alert: alert(GSME, 0x8f0f, now + 1) } },
    ]);
    expect(h.snapshot.context.queue).toEqual([]);
  });

  it('DOMAIN §3.3: the outage queue is bounded; overflow is counted and reported when the WAN returns', () => {
    const h = hub(2);
    h.send({ type: 'wan.link', now, up: false });
    for (let i = 0; i < 5; i++) h.send({ type: 'han.alert', now, alert: alert(ESME, 0x810d, now + i) });
    const up = h.send({ type: 'wan.link', now, up: true });
    expect(up.filter((e) => e.type === 'toWan')).toHaveLength(2);
    expect(up.at(-1)).toEqual({ type: 'overflowReported', params: { count: 3 } });
  });

  it('a powered-off hub routes nothing and loses its queue, but keeps its device log', () => {
    const h = hub();
    h.send({ type: 'wan.link', now, up: false });
    h.send({ type: 'han.alert', now, alert: alert(ESME) });
    h.send({ type: 'power', now, on: false });
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })).toEqual([
      { type: 'undeliverable', params: { ref: 'r1', target: ESME, reason: 'hub-off' } },
    ]);
    h.send({ type: 'power', now, on: true });
    expect(h.snapshot.context.queue).toEqual([]);
    expect(h.send({ type: 'wan.command', now, command: command(ESME) })[0]).toMatchObject({ type: 'toHan' });
  });

  it('property: with the WAN up and every device joined, each alert goes up once, in the order raised', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(ESME, GSME), fc.integer({ min: 0x8000, max: 0x8fff })), { maxLength: 30 }), (list) => {
        const h = hub();
        const up = list.flatMap(([d, code], i) => h.send({ type: 'han.alert', now, alert: alert(d, code, now + i) }));
        expect(up).toEqual(list.map(([d, code], i) => ({ type: 'toWan', params: { alert: alert(d, code, now + i) } })));
      }),
    );
  });
});

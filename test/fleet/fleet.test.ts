import { describe, test, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createECDH } from 'node:crypto';
import { DEFAULT_FLEET_OPTIONS, parseFleetOptions, type FleetOptions } from '../../emulator/fleet/fleet-options.ts';
import { runFleetShard } from '../../emulator/fleet/fleet-runner.ts';
import { merge, runFleet } from '../../emulator/fleet/parallel-fleet.ts';
import { fleetKeys, fleetDevicePrivateKey } from '../../emulator/fleet/fleet-keys.ts';
import { summarise, formatSummary, minutesWithAnyFuelOff } from '../../emulator/fleet/fleet-summary.ts';
import { SupplyTimeline } from '../../emulator/fleet/supply-timeline.ts';
import { MINUTE_MS } from '../../core/time/duration.ts';

const small = (over: Partial<FleetOptions> = {}): FleetOptions => ({ ...DEFAULT_FLEET_OPTIONS, premises: 40, days: 10, ...over });

describe('device-only fleet', () => {
  test('same seed ⇒ same consumer timelines', () => {
    const a = runFleetShard(small({ seed: 's1' }));
    const b = runFleetShard(small({ seed: 's1' }));
    expect(b.consumers).toEqual(a.consumers);
    expect(b.alerts).toEqual(a.alerts);
    expect(b.machineEvents).toBe(a.machineEvents);
  });

  test('different seeds give different estates', () => {
    const a = runFleetShard(small({ seed: 's1' }));
    const b = runFleetShard(small({ seed: 's2' }));
    expect(b.consumers).not.toEqual(a.consumers);
  });

  test('a fleet run in shards gives the same outcome per premises as in one piece', () => {
    const o = small({ seed: 'shards' });
    const whole = runFleetShard(o);
    const parts = merge([runFleetShard(o, 0, 15), runFleetShard(o, 15, 25)]);
    expect(parts.consumers).toEqual(whole.consumers);
    expect(parts.alerts).toEqual(whole.alerts);
    expect(parts.meterDays).toBe(whole.meterDays);
  });

  test('worker threads give the same outcome as one thread', async () => {
    const raw = { premises: 1000, days: 3, seed: 'threads' };
    const o = parseFleetOptions(raw);
    if (!o.ok) throw new Error('options');
    const single = runFleetShard(o.value);
    const threaded = await runFleet(o.value, raw, 2);
    expect(threaded.consumers).toEqual(single.consumers);
  }, 120_000);

  test('prepayment consumers run out and are recorded off supply by cause; credit-mode consumers never lose supply for credit', () => {
    const prepay = runFleetShard(small({ premises: 200, days: 21, seed: 'outcomes', startBalancePounds: { min: 1, max: 5 } }));
    const s = summarise(prepay);
    expect(s.offSupply.consumers).toBeGreaterThan(0);
    expect(s.minutesOff.credit).toBeGreaterThan(0);
    expect(prepay.alerts['0x8F0F']).toBeGreaterThan(0);
    const credit = runFleetShard(
      small({ premises: 200, days: 21, seed: 'outcomes', prepaymentShare: 0, startBalancePounds: { min: 1, max: 5 } }),
    );
    const c = summarise(credit);
    expect(c.minutesOff.credit).toBe(0);
    expect(c.offSupply.consumers).toBe(0);
    expect(credit.alerts['0x8F0F']).toBeUndefined();
  });

  test('every off-supply span lies inside the run and spans of one meter never overlap', () => {
    const r = runFleetShard(small({ premises: 100, days: 14, seed: 'spans', startBalancePounds: { min: 0, max: 4 } }));
    let spans = 0;
    for (const c of r.consumers) {
      for (const m of c.meters) {
        let last = r.start;
        for (const i of m.offIntervals) {
          expect(i.from).toBeGreaterThanOrEqual(last);
          expect(i.to).toBeGreaterThan(i.from);
          expect(i.to).toBeLessThanOrEqual(r.end);
          last = i.to;
          spans++;
        }
      }
    }
    expect(spans).toBeGreaterThan(0);
  });

  test('the summary reads out the totals', () => {
    const r = runFleetShard(small({ seed: 'summary' }));
    const text = formatSummary(r, summarise(r));
    expect(text).toContain('40 premises');
    expect(text).toContain('Consumers off supply');
    expect(text).toContain('0x810D lowCredit');
  });
});

describe('fleet options', () => {
  const cases: [unknown, string, string][] = [
    [{ premises: 0 }, 'fleet.premises', 'range'],
    [{ premises: 1.5 }, 'fleet.premises', 'type'],
    [{ days: 400 }, 'fleet.days', 'range'],
    [{ start: '2026-02-30' }, 'fleet.start', 'range'],
    [{ start: 'yesterday' }, 'fleet.start', 'format'],
    [{ prepaymentShare: 2 }, 'fleet.prepaymentShare', 'range'],
    [{ seed: '' }, 'fleet.seed', 'type'],
    [{ startBalancePounds: { min: 10, max: 5 } }, 'fleet.startBalancePounds.max', 'order'],
    [{ colour: 'red' }, 'fleet.colour', 'unknown-kind'],
    [{ electricityMeter: { prepay: { lowCreditThreshold: -1 } } }, 'fleet.electricityMeter.prepay.lowCreditThreshold', 'range'],
    [{ gasMeter: { tariff: { kind: 'cheap', standingCharge: 0 } } }, 'fleet.gasMeter.tariff.kind', 'unknown-kind'],
    [
      { electricityMeter: { prepay: { emergencyCreditThreshold: 0, disablementThreshold: 100 } } },
      'fleet.electricityMeter.prepay.emergencyCreditThreshold',
      'order',
    ],
  ];
  test.each(cases)('%j is refused at %s (%s)', (raw, path, code) => {
    const r = parseFleetOptions(raw, 'fleet');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.path).toBe(path);
      expect(r.error.code).toBe(code);
    }
  });

  test('defaults are taken for anything not given', () => {
    const r = parseFleetOptions({ premises: 5 });
    expect(r.ok && r.value.days).toBe(28);
    expect(r.ok && r.value.premises).toBe(5);
  });
});

describe('fleet keys', () => {
  test('each device secret is the ECDH of the supplier key and that device key', () => {
    const k = fleetKeys('keys', 10, 5);
    for (const i of [0, 2, 4]) {
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(fleetDevicePrivateKey('keys', 10 + i));
      expect(Buffer.from(k.secrets[i]!)).toEqual(ecdh.computeSecret(k.supplierPublicKey));
    }
  });

  test('a shard computes the same secrets as the whole fleet', () => {
    const whole = fleetKeys('keys', 0, 8);
    const part = fleetKeys('keys', 5, 3);
    expect(part.secrets.map((s) => Buffer.from(s).toString('hex'))).toEqual(
      whole.secrets.slice(5).map((s) => Buffer.from(s).toString('hex')),
    );
  });
});

describe('supply timeline', () => {
  test('counts minutes off by cause and closes an open span at the end', () => {
    const t = new SupplyTimeline();
    t.record(0, 'Enabled', null);
    t.record(10 * MINUTE_MS, 'Disabled', 'credit');
    t.record(70 * MINUTE_MS, 'Armed', 'credit');
    t.record(100 * MINUTE_MS, 'Enabled', null);
    t.record(200 * MINUTE_MS, 'Disabled', 'remote');
    t.close(230 * MINUTE_MS);
    expect(t.minutesOff()).toEqual({ credit: 60, armed: 30, remote: 30 });
    expect(t.intervals).toHaveLength(3);
  });
});

describe('smets-twin command', () => {
  const bin = fileURLToPath(new URL('../../bin/smets-twin.mjs', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

  test('runs a small fleet and prints the outcome', () => {
    const r = run('fleet', '--premises', '20', '--days', '3', '--quiet');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Consumers off supply');
    expect(r.stdout).toContain('meter-days/s');
  }, 60_000);

  test.each([
    [['fleet', '--premises', 'many'], '--premises: expected a number'],
    [['fleet', '--days', '0'], 'fleet.days: range'],
    [['fleet', '--start', '2026-13-01'], 'fleet.start'],
    [['fleet', '--colour', 'red'], "Unknown option '--colour'"],
    [['launch'], 'unknown command "launch"'],
  ])(
    'a mistake (%j) is a message and exit code 2, not a stack trace',
    (args, message) => {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );
});

describe('fleet summary', () => {
  test('a home is off while any of its fuels is off: overlapping spans count once', () => {
    const span = (from: number, to: number) => ({ from: from * MINUTE_MS, to: to * MINUTE_MS, cause: 'credit' as const });
    const meter = (offIntervals: ReturnType<typeof span>[]) => ({
      fuel: 'electricity' as const,
      id: 'm',
      mode: 'Prepayment' as const,
      minutesOff: { credit: 0, armed: 0, remote: 0 },
      offIntervals,
      topUps: 0,
      finalBalance: 0,
    });
    const home = {
      premises: 0,
      fuels: 'dual' as const,
      vulnerable: false,
      selfDisconnecting: false,
      meters: [meter([span(0, 60), span(200, 230)]), meter([span(30, 90), span(240, 250)])],
    };
    expect(minutesWithAnyFuelOff(home)).toBe(90 + 30 + 10);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eui64FromBytes, type Eui64 } from '../../../core/ids.ts';
import { clientIdOf, principalOf, mayPublish, maySubscribe, filterCovers, type Principal } from '../../../emulator/bus/acl.ts';

const HUB = '00-DB-12-00-00-00-10-01' as Eui64;
const OTHER_HUB = '00-DB-12-00-00-00-10-02' as Eui64;
const ESME = '00-DB-12-00-00-00-00-02' as Eui64;
const GSME = '00-DB-12-00-00-00-00-03' as Eui64;
const USER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const OTHER_USER = '90-B3-D5-1F-30-02-00-00' as Eui64;

const hub: Principal = { kind: 'hub', id: HUB };
const esme: Principal = { kind: 'device', hub: HUB, id: ESME };
const user: Principal = { kind: 'user', id: USER };
const dsp: Principal = { kind: 'dsp' };
const observer: Principal = { kind: 'observer', name: 'watch' };

describe('bus authorisation', () => {
  it('RELIABILITY §3.4: a device may publish only on its own HAN topic', () => {
    expect(mayPublish(esme, `smets/han/${HUB}/${ESME}/out`)).toBe(true);
    expect(mayPublish(esme, `smets/han/${HUB}/${GSME}/out`)).toBe(false);
    expect(mayPublish(esme, `smets/han/${HUB}/${ESME}/in`)).toBe(false);
    expect(mayPublish(esme, `smets/wan/${HUB}/up`)).toBe(false);
    expect(maySubscribe(esme, `smets/han/${HUB}/${GSME}/in`)).toBe(false);
  });

  it("RELIABILITY §3.3: a user cannot read another user's responses, everything (#) or the broker ($SYS/#)", () => {
    expect(maySubscribe(user, `smets/dsp/users/${USER}/responses`)).toBe(true);
    expect(maySubscribe(user, `smets/dsp/users/${OTHER_USER}/responses`)).toBe(false);
    expect(maySubscribe(user, 'smets/dsp/users/+/responses')).toBe(false);
    expect(maySubscribe(user, '#')).toBe(false);
    expect(maySubscribe(user, '$SYS/#')).toBe(false);
    expect(mayPublish(user, `smets/dsp/users/${OTHER_USER}/requests`)).toBe(false);
    expect(mayPublish(user, `smets/wan/${HUB}/down`)).toBe(false);
  });

  it('a comms hub speaks for itself and its HAN only', () => {
    expect(mayPublish(hub, `smets/wan/${HUB}/up`)).toBe(true);
    expect(mayPublish(hub, `smets/wan/${OTHER_HUB}/up`)).toBe(false);
    expect(mayPublish(hub, `smets/han/${HUB}/${ESME}/in`)).toBe(true);
    expect(mayPublish(hub, `smets/han/${OTHER_HUB}/${ESME}/in`)).toBe(false);
    expect(maySubscribe(hub, `smets/han/${HUB}/+/out`)).toBe(true);
    expect(maySubscribe(hub, 'smets/han/+/+/out')).toBe(false);
  });

  it('the DSP reaches every hub and user, but cannot read HAN traffic or the broker', () => {
    expect(mayPublish(dsp, `smets/wan/${HUB}/down`)).toBe(true);
    expect(mayPublish(dsp, `smets/dsp/users/${USER}/responses`)).toBe(true);
    expect(maySubscribe(dsp, 'smets/wan/+/up')).toBe(true);
    expect(maySubscribe(dsp, `smets/han/${HUB}/+/out`)).toBe(false);
    expect(maySubscribe(dsp, '$SYS/#')).toBe(false);
  });

  it("an observer reads the twin's traffic and nothing else, and never publishes", () => {
    expect(maySubscribe(observer, 'smets/#')).toBe(true);
    expect(maySubscribe(observer, `smets/han/${HUB}/+/out`)).toBe(true);
    expect(maySubscribe(observer, '#')).toBe(false);
    expect(maySubscribe(observer, '$SYS/#')).toBe(false);
    expect(mayPublish(observer, `smets/wan/${HUB}/up`)).toBe(false);
  });

  it.each([
    '__proto__',
    'constructor',
    'ch.+',
    'ch.#',
    'dev/1',
    'ch.00db12000000100',
    'user.00DB1200000010011',
    'dsp.x',
    '',
    'obs.',
    'sim.a/b',
  ])('client id %j names no principal', (id) => {
    expect(principalOf(id).ok).toBe(false);
  });

  it('property: every principal round-trips through its client id', () => {
    const eui = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => eui64FromBytes(b));
    const principal: fc.Arbitrary<Principal> = fc.oneof(
      eui.map((id) => ({ kind: 'hub' as const, id })),
      fc.tuple(eui, eui).map(([h, id]) => ({ kind: 'device' as const, hub: h, id })),
      eui.map((id) => ({ kind: 'user' as const, id })),
      fc.constant({ kind: 'dsp' as const }),
      fc.stringMatching(/^[0-9A-Za-z_-]{1,40}$/).map((name) => ({ kind: 'observer' as const, name })),
    );
    fc.assert(
      fc.property(principal, (p) => {
        const id = clientIdOf(p);
        expect(id.length).toBeLessThanOrEqual(64);
        expect(principalOf(id)).toEqual({ ok: true, value: p });
      }),
    );
  });

  it('filterCovers: a grant covers a narrower filter, never a broader one', () => {
    expect(filterCovers('smets/wan/+/up', `smets/wan/${HUB}/up`)).toBe(true);
    expect(filterCovers('smets/wan/+/up', 'smets/wan/+/up')).toBe(true);
    expect(filterCovers('smets/wan/+/up', 'smets/wan/#')).toBe(false);
    expect(filterCovers('smets/#', 'smets/wan/+/up')).toBe(true);
    expect(filterCovers('smets/#', 'smets')).toBe(true);
    expect(filterCovers('smets/wan/+/up', 'smets/wan/+/up/x')).toBe(false);
    expect(filterCovers('+/#', '$SYS/#')).toBe(false);
  });
});

describe('settle markers', () => {
  it('every principal may loop a marker through its own settle topic, and only its own', () => {
    for (const p of [hub, esme, user, dsp, observer]) {
      const own = `$smets/settle/${clientIdOf(p)}`;
      expect(mayPublish(p, own)).toBe(true);
      expect(maySubscribe(p, own)).toBe(true);
      expect(mayPublish(p, '$smets/settle/dsp.other')).toBe(false);
    }
  });
});

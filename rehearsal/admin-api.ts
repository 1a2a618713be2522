import { fieldError, type FieldError } from '../core/errors.ts';
import { MINUTE_MS, type Instant } from '../core/time/duration.ts';
import { formatInstant, parseInstant } from '../core/time/uk-time.ts';
import { SAT_KINDS, type SatKind, type SatRecord } from '../dsp/audit/service-audit-trail.ts';
import { KEY_USAGES } from '../dsp/smki/certificate.ts';
import { parseReceiveUrl, type Delivery } from './delivery.ts';
import { fail, json, type HttpReply, type Route, type RouteRequest } from './http-server.ts';
import type { PacedClock } from './paced-clock.ts';
import type { RehearsalParty, RehearsalWorld } from './rehearsal-world.ts';

/**
 * The admin API: the Authority's, the SMKI PMA's and SECAS's actions on the
 * DSP (`DspAdmin`), a User's ARO/SRO uploading an ADT file, each User's
 * Receive Response Service URL, and the delivery records. Every call is
 * validated (a 4xx naming the field), applied at the paced instant, and
 * answers with the Service Audit Trail records it added.
 * // DOMAIN §7.1, §7.2; MP134A; MP185; MP134B req 4, 6
 *
 * Parties are named by EUI-64 or by alias (`failed`, `srp`, `solr`, a
 * scenario file's party ids).
 */

/** What the admin API acts on. */
export interface AdminParts {
  readonly rw: RehearsalWorld;
  readonly paced: PacedClock;
  readonly delivery: Delivery;
}

export const ADMIN_PREFIX = '/api/admin';

export function adminRoutes(parts: AdminParts): readonly Route[] {
  const { rw, paced, delivery } = parts;
  const admin = rw.world.dsp.admin;
  const sat = rw.world.dsp.sat;

  /** Runs `act` at the paced instant; answers 200 with the instant and the audit records it added. */
  const apply = (act: (now: Instant) => HttpReply | void): HttpReply =>
    paced.inject((now) => {
      const before = sat.length;
      const refused = act(now);
      if (refused !== undefined) return refused;
      return json(200, { at: formatInstant(now), audit: sat.records().slice(before).map(auditJson) });
    });

  /** The User a path parameter names, or a 404. */
  const userParam = (req: RouteRequest): RehearsalParty | HttpReply => {
    const name = req.params['user'] ?? '';
    return (
      rw.party(name) ??
      fail(404, {
        code: 'not-found',
        path: 'path.user',
        expected: `a User of the rehearsal (${aliases(rw)}) or its EUI-64`,
        got: JSON.stringify(name),
      })
    );
  };

  return [
    {
      method: 'GET',
      path: `${ADMIN_PREFIX}/users`,
      handle: () =>
        json(200, {
          users: rw.parties.map((p) => ({
            id: p.id,
            name: p.name,
            aliases: p.aliases,
            external: rw.external.some((x) => x.id === p.id),
            receiveUrl: delivery.urlOf(p.id),
          })),
        }),
    },
    {
      method: 'PUT',
      path: `${ADMIN_PREFIX}/users/:user/receive-url`,
      body: 'json',
      handle: (req) => {
        const user = userParam(req);
        if (!('id' in user)) return user;
        const f = new Fields(req.json);
        const raw = f.take('url', true);
        const url = raw === null || raw === undefined ? null : f.check(parseReceiveUrl(raw, 'body.url'));
        if (f.bad()) return f.answer();
        return apply((now) => {
          admin.setReceiveUrl(user.id, url ?? null, now);
          delivery.setUrl(user.id, url ?? null);
        });
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/users/:user/status`,
      body: 'json',
      handle: (req) => {
        const user = userParam(req);
        if (!('id' in user)) return user;
        const f = new Fields(req.json);
        const status = f.oneOf('status', ['active', 'suspended'] as const);
        if (f.bad() || status === undefined) return f.answer();
        return apply((now) => admin.setUserStatus(user.id, status, now));
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/failed-supplier-list`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const supplier = f.party('supplier', rw);
        const listed = f.boolean('listed');
        if (f.bad() || supplier === undefined || listed === undefined) return f.answer();
        return apply((now) => admin.setFailedSupplier(supplier.id, listed, now));
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/authority-instructions`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const reference = f.text('reference');
        const supplier = f.party('supplier', rw);
        const srp = f.party('srp', rw);
        if (f.bad() || reference === undefined || supplier === undefined || srp === undefined) return f.answer();
        return apply((now) => {
          try {
            admin.instruct(reference, supplier.id, srp.id, now);
          } catch (e) {
            // The registry refuses a reference it holds before changing anything.
            if (!(e instanceof RangeError)) throw e;
            return fail(409, {
              code: 'conflict',
              path: 'body.reference',
              expected: 'a reference no instruction has yet',
              got: JSON.stringify(reference),
            });
          }
          return undefined;
        });
      },
    },
    {
      method: 'DELETE',
      path: `${ADMIN_PREFIX}/authority-instructions/:reference`,
      handle: (req) => {
        const reference = req.params['reference'] ?? '';
        return apply((now) => {
          try {
            admin.withdrawInstruction(reference, now);
          } catch (e) {
            if (!(e instanceof RangeError)) throw e;
            return fail(404, {
              code: 'not-found',
              path: 'path.reference',
              expected: 'the reference of an instruction given',
              got: JSON.stringify(reference),
            });
          }
          return undefined;
        });
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/licence-revocations`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const supplier = f.party('supplier', rw);
        const delay = f.delay('delayRevocationUntil', 'delayRevocationMinutes', paced.pacedNow());
        if (f.bad() || supplier === undefined) return f.answer();
        return apply((now) => admin.revokeLicence(supplier.id, now, delay === undefined ? {} : { delayRevocationUntil: delay(now) }));
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/certificate-revocations`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const party = f.party('party', rw);
        const usage = f.oneOf('usage', KEY_USAGES);
        if (f.bad() || party === undefined || usage === undefined) return f.answer();
        const cert = rw.world.smki.find(party.id, usage);
        if (cert === undefined) {
          return fail(404, {
            code: 'not-found',
            path: 'body.usage',
            expected: `a key usage ${party.name} holds a certificate for`,
            got: JSON.stringify(usage),
          });
        }
        // The SMKI revokes one certificate (not a licence revocation): the DSP refuses it from now on (X3). // DOMAIN §5.3
        return apply((now) => {
          rw.world.smki.revoke(cert.serial, now);
          sat.append({
            at: now,
            kind: 'admin',
            sender: party.id,
            businessOriginator: null,
            requestId: null,
            srv: null,
            commandVariant: null,
            code: null,
            detail: `SMKI: ${usage} certificate ${cert.serial} revoked`,
          });
        });
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/clock`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const now = paced.pacedNow();
        const target = f.instant('skipTo', now);
        const speed = f.take('speed', false);
        if (speed !== undefined && !(typeof speed === 'number' && Number.isFinite(speed) && speed >= 0.001 && speed <= 1_000_000)) {
          return fail(400, { code: 'range', path: 'body.speed', expected: 'a number from 0.001 to 1000000', got: JSON.stringify(speed) });
        }
        if (f.bad()) return f.answer();
        // Skipping runs every event on the way at once: the server answers nothing else meanwhile.
        const events = target === undefined ? 0 : paced.skipTo(Math.max(target, paced.pacedNow()));
        if (typeof speed === 'number') paced.setSpeed(speed);
        return json(200, { at: formatInstant(paced.pacedNow()), speed: paced.speed, events });
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/solr-appointments`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const failed = f.party('failed', rw);
        const solr = f.party('solr', rw);
        const delay = f.delay('delayTransferUntil', 'delayTransferMinutes', paced.pacedNow());
        if (f.bad() || failed === undefined || solr === undefined) return f.answer();
        return apply((now) => admin.appointSolr(failed.id, solr.id, now, delay === undefined ? {} : { delayTransferUntil: delay(now) }));
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/srp-appointments`,
      body: 'json',
      handle: (req) => {
        const f = new Fields(req.json);
        const srp = f.party('srp', rw);
        const supplier = f.party('supplier', rw);
        const until = f.instant('until', paced.pacedNow());
        if (f.bad() || srp === undefined || supplier === undefined) return f.answer();
        return apply((now) => admin.appointSrp(srp.id, supplier.id, now, until === undefined ? null : Math.max(until, now)));
      },
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/adt-uploads`,
      body: 'json',
      handle: (req) => {
        const by = req.query.get('uploadedBy');
        if (by !== 'ARO' && by !== 'SRO') {
          return fail(400, {
            code: by === null ? 'required' : 'unknown-kind',
            path: 'query.uploadedBy',
            expected: "ARO or SRO: the User's Authorised or Senior Responsible Officer who uploads the file",
            got: by === null ? 'nothing' : JSON.stringify(by),
          });
        }
        return apply((now) => {
          const r = admin.uploadAdt(req.json, now, by);
          return r.ok
            ? undefined
            : fail(
                400,
                r.error.map((e) => ({ ...e, path: `body${e.path.slice('adt'.length)}` })),
              );
        });
      },
    },
    {
      method: 'GET',
      path: `${ADMIN_PREFIX}/deliveries`,
      handle: (req) => {
        const limit = intQuery(req, 'limit', 1, 10_000, 200);
        if (typeof limit !== 'number') return limit;
        const name = req.query.get('user');
        let user: string | undefined;
        if (name !== null) {
          const p = rw.party(name);
          if (p === undefined)
            return fail(400, {
              code: 'unknown-kind',
              path: 'query.user',
              expected: `a User of the rehearsal (${aliases(rw)}) or its EUI-64`,
              got: JSON.stringify(name),
            });
          user = p.id;
        }
        return json(200, {
          users: delivery.users(),
          records: delivery.records({ ...(user === undefined ? {} : { user }), limit }),
        });
      },
    },
    {
      method: 'GET',
      path: `${ADMIN_PREFIX}/audit`,
      handle: (req) => {
        const limit = intQuery(req, 'limit', 1, 10_000, 100);
        if (typeof limit !== 'number') return limit;
        const kind = req.query.get('kind');
        if (kind !== null && !(SAT_KINDS as readonly string[]).includes(kind)) {
          return fail(400, {
            code: 'unknown-kind',
            path: 'query.kind',
            expected: `one of ${SAT_KINDS.join(', ')}`,
            got: JSON.stringify(kind),
          });
        }
        const all = sat.records();
        const mine = kind === null ? all : all.filter((r) => r.kind === (kind as SatKind));
        return json(200, { length: all.length, head: sat.head(), records: mine.slice(Math.max(0, mine.length - limit)).map(auditJson) });
      },
    },
  ];
}

function auditJson(r: SatRecord): Record<string, unknown> {
  return { ...r, at: formatInstant(r.at) };
}

function aliases(rw: RehearsalWorld): string {
  return [...new Set(rw.parties.flatMap((p) => p.aliases))].join(', ');
}

/** An integer query parameter in `min..max`, its default when absent, or a 400. */
function intQuery(req: RouteRequest, name: string, min: number, max: number, fallback: number): number | HttpReply {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    return fail(400, { code: 'range', path: `query.${name}`, expected: `a whole number from ${min} to ${max}`, got: JSON.stringify(raw) });
  }
  return n;
}

/**
 * Reads a JSON object body field by field, collecting every mistake with its
 * path (`body.supplier`); unknown fields are mistakes too, found by `answer`.
 */
class Fields {
  private readonly raw: Record<string, unknown> | null;
  private readonly errors: FieldError[] = [];
  private readonly seen = new Set<string>();

  constructor(raw: unknown) {
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) this.raw = raw as Record<string, unknown>;
    else {
      this.raw = null;
      this.errors.push(fieldError('body', 'type', 'a JSON object', raw));
    }
  }

  /** The raw value of `key`; a required one that is absent is a mistake. */
  take(key: string, required: boolean): unknown {
    this.seen.add(key);
    const v = this.raw?.[key];
    if (v === undefined && required && this.raw !== null)
      this.errors.push(fieldError(`body.${key}`, 'required', `the field ${key}`, undefined));
    return v;
  }

  check<T>(r: { ok: true; value: T } | { ok: false; error: FieldError }): T | undefined {
    if (r.ok) return r.value;
    this.errors.push(r.error);
    return undefined;
  }

  text(key: string): string | undefined {
    const v = this.take(key, true);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '' || v.length > 200) {
      this.errors.push(fieldError(`body.${key}`, 'type', 'a non-empty string of at most 200 characters', v));
      return undefined;
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.take(key, true);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.errors.push(fieldError(`body.${key}`, 'type', 'true or false', v));
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.take(key, true);
    if (v === undefined) return undefined;
    const found = values.find((x) => x === v);
    if (found === undefined) this.errors.push(fieldError(`body.${key}`, 'unknown-kind', `one of ${values.join(', ')}`, v));
    return found;
  }

  party(key: string, rw: RehearsalWorld): RehearsalParty | undefined {
    const v = this.take(key, true);
    if (v === undefined) return undefined;
    const p = typeof v === 'string' ? rw.party(v) : undefined;
    if (p === undefined)
      this.errors.push(fieldError(`body.${key}`, 'unknown-kind', `a User of the rehearsal (${aliases(rw)}) or its EUI-64`, v));
    return p;
  }

  /** An optional instant not before `now` (ISO-8601 with Z or an offset); null and absence both mean none. */
  instant(key: string, now: Instant): Instant | undefined {
    const v = this.take(key, false);
    if (v === undefined || v === null) return undefined;
    const t = this.check(parseInstant(v, `body.${key}`));
    if (t !== undefined && t < now) {
      this.errors.push(fieldError(`body.${key}`, 'range', `an instant not before the simulated now (${formatInstant(now)})`, v));
      return undefined;
    }
    return t;
  }

  /**
   * An optional delay, given as an instant (`untilKey`) or as whole minutes
   * from the instant the action applies (`minutesKey`), not both. Returns the
   * delay's end as a function of that instant.
   */
  delay(untilKey: string, minutesKey: string, now: Instant): ((at: Instant) => Instant) | undefined {
    const until = this.instant(untilKey, now);
    const m = this.take(minutesKey, false);
    if (m !== undefined && until !== undefined) {
      this.errors.push(fieldError(`body.${minutesKey}`, 'type', `either ${untilKey} or ${minutesKey}, not both`, m));
      return undefined;
    }
    if (until !== undefined) return (at) => Math.max(until, at);
    if (m === undefined) return undefined;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 366 * 24 * 60) {
      this.errors.push(fieldError(`body.${minutesKey}`, 'range', 'a whole number of minutes from 0 to 527040 (366 days)', m));
      return undefined;
    }
    return (at) => at + m * MINUTE_MS;
  }

  bad(): boolean {
    this.unknown();
    return this.errors.length > 0;
  }

  answer(): HttpReply {
    this.unknown();
    return fail(400, this.errors);
  }

  private unknown(): void {
    if (this.raw === null) return;
    for (const k of Object.keys(this.raw)) {
      if (!this.seen.has(k) && !this.errors.some((e) => e.path === `body.${k}`)) {
        this.errors.push(fieldError(`body.${k}`, 'unknown-kind', `one of the fields ${[...this.seen].join(', ')}`, k));
      }
    }
  }
}

import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { COMMAND_TYPE } from '../../../proto/han-wire.ts';
import { hanKindOf } from '../../../proto/han-mapping.ts';
import { PACKAGE, root, SCHEMA_VERSION } from '../../../proto/schema.ts';
import { METER_EVENT_TYPES } from './arbitraries.ts';

/** Every message type under a namespace, nested ones included. */
function messages(ns: protobuf.NamespaceBase): protobuf.Type[] {
  const out: protobuf.Type[] = [];
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Type) out.push(n);
    if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) out.push(...messages(n));
  }
  return out;
}

/** What is wrong with a message's numbering: duplicate numbers, reserved numbers or names in use. */
function numberingProblems(t: protobuf.Type): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const f of t.fieldsArray) {
    const other = seen.get(f.id);
    if (other !== undefined) problems.push(`${t.fullName}: ${f.name} and ${other} share number ${f.id}`);
    seen.set(f.id, f.name);
    for (const r of t.reserved ?? []) {
      if (typeof r === 'string' ? r === f.name : f.id >= r[0]! && f.id <= r[1]!) {
        problems.push(`${t.fullName}: ${f.name} = ${f.id} uses reserved ${JSON.stringify(r)}`);
      }
    }
    if (f.id >= 19_000 && f.id <= 19_999) problems.push(`${t.fullName}: ${f.name} uses protobuf's own range 19000-19999`);
  }
  return problems;
}

const all = messages(root);

describe('the bus schema', () => {
  it(`is package ${PACKAGE}, version ${SCHEMA_VERSION}, with every message in it`, () => {
    expect(all.length).toBeGreaterThan(40);
    for (const t of all) expect(t.fullName.startsWith(`.${PACKAGE}.`)).toBe(true);
  });

  it('gives every field of every message its own number, and reuses no reserved number or name', () => {
    expect(all.flatMap(numberingProblems)).toEqual([]);
  });

  it('keeps the reservations it declares', () => {
    expect(root.lookupType(`${PACKAGE}.HanCommand`).reserved).toContain('clock_due');
  });

  it('would notice a reused or reserved number (the check itself)', () => {
    const t = new protobuf.Type('Bad');
    for (const [name, id] of [
      ['a', 1],
      ['b', 2],
      ['c', 9],
    ] as const)
      t.add(new protobuf.Field(name, id, 'string'));
    t.reserved = [[3, 5], 'c'];
    // protobufjs refuses such fields as they are added; bend the built type instead.
    Object.assign(t.fieldsArray[1]!, { id: 4 });
    Object.assign(t.fieldsArray[2]!, { id: 1 });
    expect(numberingProblems(t)).toEqual(['Bad: b = 4 uses reserved [3,5]', 'Bad: c and a share number 1', 'Bad: c = 1 uses reserved "c"']);
  });

  it('numbers a Service Request body after its SRV: a.b[.c] → a*10000 + b*100 + c', () => {
    const srv: Record<string, string> = {
      updatePaymentMode: '1.6',
      topUpDevice: '2.2',
      readInstantaneousPrepayValues: '4.3',
      readMeterBalance: '4.18',
      enableSupply: '7.1',
      disableSupply: '7.2',
      armSupply: '7.3',
      readSupplyStatus: '7.4',
    };
    const body = root.lookupType(`${PACKAGE}.ServiceRequest`).oneofs['body']!;
    for (const f of body.fieldsArray) {
      const ref = srv[f.name];
      if (ref === undefined) {
        expect(['signedPreCommand', 'opaque']).toContain(f.name);
        continue;
      }
      const [a = 0, b = 0, c = 0] = ref.split('.').map(Number);
      expect([f.name, f.id]).toEqual([f.name, a * 10_000 + b * 100 + c]);
    }
  });

  it('has a CommandType for every MeterEvent type, clock.due included, and the device security command', () => {
    expect(COMMAND_TYPE.values).toEqual(['clockDue', ...METER_EVENT_TYPES.map(hanKindOf), 'updateSupplierCredentials']);
  });

  it('has a HanCommand member for every MeterEvent type but clock.due, and the device security command', () => {
    const members = root.lookupType(`${PACKAGE}.HanCommand`).oneofs['command']!.fieldsArray.map((f) => f.name);
    expect([...members].sort()).toEqual([...METER_EVENT_TYPES.map(hanKindOf), 'updateSupplierCredentials'].sort());
  });

  it('starts every enum at an unspecified zero', () => {
    const enums: protobuf.Enum[] = [];
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const n of ns.nestedArray) {
        if (n instanceof protobuf.Enum) enums.push(n);
        else if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n);
      }
    };
    walk(root);
    expect(enums.length).toBeGreaterThan(5);
    for (const e of enums) expect(Object.entries(e.values).find(([, n]) => n === 0)?.[0]).toMatch(/_UNSPECIFIED$|^NULL_VALUE$/);
  });
});

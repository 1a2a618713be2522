import { describe, expect, it } from 'vitest';
import { createFastSigner, type KeyPair } from '../../../core/crypto/ecdsa.ts';
import { CommandAuthority } from '../../../emulator/devices/common/command-authority.ts';
import { encodePreCommand } from '../../../proto/signed-content.ts';
import type { HanCommand, HanCommandBody } from '../../../proto/types.ts';
import { keyPairFromSeed } from '../../../dsp/smki/key-pair.ts';

const DEVICE = '00-DB-12-00-00-00-00-01';
const OTHER = '00-DB-12-00-00-00-00-05';
const A = '90-B3-D5-1F-30-01-00-00';
const B = '90-B3-D5-1F-30-03-00-00';
const COS = '90-B3-D5-1F-30-00-00-04';
const keyA = keyPairFromSeed(1, 'a');
const keyB = keyPairFromSeed(1, 'b');
const keyCos = keyPairFromSeed(1, 'cos');
const credit: HanCommandBody = { kind: 'modeSet', modeSet: { kind: 'credit', credit: {} } };

function signed(body: HanCommandBody, key: KeyPair, party: string, counter: bigint, device = DEVICE): HanCommand {
  const requestId = `${party}:${device}:${counter}`;
  const pre = encodePreCommand({
    requestId,
    remoteParty: party,
    device,
    counter,
    serviceReferenceVariant: '1.6',
    command: { ...body, now: 0 },
  });
  return { ...body, ref: requestId, now: 5, authorisation: { preCommand: pre, signature: createFastSigner(key)(pre) } };
}

const authority = (): CommandAuthority =>
  new CommandAuthority(DEVICE, {
    supplier: { party: A, publicKey: keyA.publicKey },
    transCoS: { party: COS, publicKey: keyCos.publicKey },
  });

describe('a device checks critical commands against its trust anchors (DOMAIN §5.2)', () => {
  it('acts on the signed content of a command signed by its supplier, with the envelope ref and instant', () => {
    const v = authority().admit(signed(credit, keyA, A, 7n));
    expect(v).toEqual({ ok: true, command: { ...credit, ref: `${A}:${DEVICE}:7`, now: 5 } });
  });

  it('refuses a critical command without a signature, and lets a read through unsigned', () => {
    const a = authority();
    expect(a.admit({ ...credit, now: 1 }).ok).toBe(false);
    expect(a.admit({ kind: 'readBalance', readBalance: {}, now: 1 }).ok).toBe(true);
    expect(a.admit({ kind: 'ecActivate', ecActivate: { via: 'remote' }, now: 1 }).ok).toBe(false);
    expect(a.admit({ kind: 'ecActivate', ecActivate: { via: 'meter' }, now: 1 }).ok).toBe(true);
  });

  it('refuses a signature by another key, a Pre-Command for another device, and a replayed counter', () => {
    const a = authority();
    expect(a.admit(signed(credit, keyB, A, 1n))).toMatchObject({ ok: false });
    expect(a.admit(signed(credit, keyB, B, 1n))).toMatchObject({ ok: false });
    expect(a.admit(signed(credit, keyA, A, 1n, OTHER))).toMatchObject({ ok: false });
    expect(a.admit(signed(credit, keyA, A, 2n)).ok).toBe(true);
    expect(a.admit(signed(credit, keyA, A, 2n))).toMatchObject({ ok: false, why: expect.stringContaining('replay') as string });
    expect(a.admit(signed(credit, keyA, A, 1n)).ok).toBe(false);
  });

  it('executes the signed content, never the fields around it', () => {
    const s = signed(credit, keyA, A, 3n);
    const tampered: HanCommand = { ...s, kind: 'supplyEnable', supplyEnable: {} } as unknown as HanCommand;
    const v = authority().admit(tampered);
    expect(v.ok && v.command.kind).toBe('modeSet');
  });

  it('Change of Supplier: a credential update needs the TransCoS signature; afterwards only the new supplier is trusted', () => {
    const a = authority();
    const update: HanCommandBody = {
      kind: 'updateSupplierCredentials',
      updateSupplierCredentials: { supplier: B, publicKey: keyB.publicKey },
    };
    expect(a.admit(signed(update, keyA, A, 1n)).ok).toBe(false);
    const v = a.admit(signed(update, keyCos, COS, 1n));
    expect(v.ok).toBe(true);
    a.replaceSupplier({ party: B, publicKey: keyB.publicKey });
    expect(a.admit(signed(credit, keyA, A, 10n)).ok).toBe(false);
    expect(a.admit(signed(credit, keyB, B, 10n)).ok).toBe(true);
  });
});

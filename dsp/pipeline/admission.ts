import { formatFieldError } from '../../core/errors.ts';
import { formatRequestId, parseRequestId, toEui64 } from '../../core/ids.ts';
import { requestSignedContent } from '../../proto/signed-content.ts';
import { roleFromCode } from '../access/roles.ts';
import { parseSrv, serviceReferenceOf } from '../access/srv.ts';
import { sha256Hex } from '../audit/canonical-encoding.ts';
import { phaseOf } from '../ledger/phase.ts';
import { DUIS_CODES, EMULATOR_CODES, reject } from '../response-codes.ts';
import { BODY_SRV } from '../transform.ts';
import type { Stage } from './request-facts.ts';

/**
 * Admission: the checks that establish whose request this is, before the
 * ledger records it. A request refused here has no key the sender owns, so
 * it is answered and counted as rejected input, not entered in the ledger.
 * // RELIABILITY §2 item 2 ("unparseable input with no recoverable ID is counted")
 */

/**
 * The header can be read: a canonical RequestID that agrees with the originator
 * and target, a Command Variant 1–8, a User Role code, an SRV, its Service
 * Reference, and a body that belongs to the SRV. // DOMAIN §4.1, §4.2, §4.6
 */
export const wellFormed: Stage = {
  name: 'well-formed',
  run(f, dsp) {
    const h = f.request.header;
    const ids = parseRequestId(h.requestId, 'header.requestId');
    if (!ids.ok) return reject(EMULATOR_CODES.X1, formatFieldError(ids.error));
    for (const [field, value] of [
      ['businessOriginator', h.businessOriginator],
      ['businessTarget', h.businessTarget],
    ] as const) {
      const e = toEui64(value, `header.${field}`);
      if (!e.ok) return reject(EMULATOR_CODES.X1, formatFieldError(e.error));
    }
    if (h.businessOriginator !== ids.value.originator || h.businessTarget !== ids.value.target) {
      return reject(
        EMULATOR_CODES.X1,
        'header.requestId: its originator and target must be the header businessOriginator and businessTarget',
      );
    }
    const srv = parseSrv(h.serviceReferenceVariant, 'header.serviceReferenceVariant');
    if (!srv.ok) return reject(EMULATOR_CODES.X1, formatFieldError(srv.error));
    if (h.serviceReference !== serviceReferenceOf(srv.value)) {
      return reject(
        EMULATOR_CODES.X1,
        `header.serviceReference: expected ${serviceReferenceOf(srv.value)} for SRV ${srv.value}, got ${JSON.stringify(h.serviceReference)}`,
      );
    }
    const kind = f.request.kind;
    if (kind !== 'signedPreCommand' && kind !== 'opaque' && BODY_SRV[kind] !== srv.value) {
      return reject(EMULATOR_CODES.X1, `body: a ${kind} body belongs to SRV ${BODY_SRV[kind]}, not ${srv.value}`);
    }
    const cv = h.commandVariant;
    // DOMAIN §4.2: CVs 1–8 are the User's; 9 is DCC-internal.
    if (!Number.isInteger(cv) || cv < 1 || cv > 8) return reject(DUIS_CODES.E12, `header.commandVariant: expected 1..8, got ${cv}`);
    const role = roleFromCode(h.userRole, dsp.config.roleCodes);
    if (role === undefined) return reject(DUIS_CODES.E1, `header.userRole: ${JSON.stringify(h.userRole)} is not a User Role`);
    f.role = role;
    f.ids = ids.value;
    f.requestId = formatRequestId(ids.value);
    f.phase = phaseOf(cv);
    return undefined;
  },
};

/**
 * The RequestID's originator is the authenticated sender: a User sends only
 * its own requests, and the header cannot name another party as the sender.
 * // RELIABILITY SA09; DOMAIN §4.1 ("counters must strictly increase per originator")
 */
export const senderIsOriginator: Stage = {
  name: 'sender-is-originator',
  run(f) {
    const originator = f.ids?.originator;
    if (originator !== f.sender) {
      return reject(DUIS_CODES.E1, `the RequestID's originator ${String(originator)} is not the sender ${f.sender}`);
    }
    f.signedContent = requestSignedContent(f.request);
    f.digest = sha256Hex(f.signedContent);
    return undefined;
  },
};

/** The admission stages, in order. */
export const ADMISSION: readonly Stage[] = [wellFormed, senderIsOriginator];

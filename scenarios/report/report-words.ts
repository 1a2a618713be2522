import type { SatKind } from '../../dsp/audit/service-audit-trail.ts';
import type { ResponseCode } from '../../dsp/response-codes.ts';
import { ALERT, type AlertCode } from '../../emulator/devices/common/alerts.ts';
import type { ConsumerGroup, OffSupplyCause } from './report-model.ts';

/**
 * The words the written reports use for codes and field names. Readers are
 * regulators and test labs: every code and term gets a plain gloss.
 */

/** Why a meter was off supply, in words. */
export const CAUSE_WORDS: Readonly<Record<OffSupplyCause, string>> = {
  credit: 'credit exhausted',
  armed: 'armed, waiting for the consumer to press the button',
  remote: 'remote disable (switched off by a command)',
  fault: 'fault (device or communications failure)',
};

/** Each group of consumers, in words. */
export const GROUP_WORDS: Readonly<Record<ConsumerGroup, string>> = {
  all: 'all consumers',
  prepayment: 'prepayment at the start',
  credit: 'credit mode at the start',
  vulnerable: 'vulnerable',
  selfDisconnecting: 'self-disconnecting',
};

/** Each audit-trail record kind, in words. */
export const AUDIT_KIND_WORDS: Readonly<Record<SatKind, string>> = {
  request: 'requests received',
  outcome: 'outcomes given',
  alert: 'alerts routed',
  admin: 'administrative changes',
};

/** What each response code means, in words. `X…` codes are the twin's own, not DUIS codes. */
export const RESPONSE_CODE_WORDS: Readonly<Record<ResponseCode, string>> = {
  I0: 'success',
  I99: 'acknowledged and sent on to the device',
  E1: 'refused: the User may not act in that role',
  E2: 'refused: the role may not send this request',
  E3: "refused: the User's status does not allow it (e.g. suspended)",
  E4: 'refused: the User is not registered for this device at this time',
  E5: "refused: the device's status does not allow it",
  E11: 'refused: the request is not valid for this type of device',
  E12: 'refused: the command variant is not valid for this request',
  E13: 'refused: the request was sent to the wrong service',
  E19: 'refused: the device is not in the inventory',
  E20: 'failed: the device could not be reached',
  E21: 'failed: no answer from the device in time',
  X1: 'refused: the request could not be read (twin code)',
  X2: 'refused: the signature does not verify (twin code)',
  X3: 'refused: the signing certificate is revoked (twin code)',
  X4: 'refused: the signed command is not the one the DCC prepared (twin code)',
  X5: 'refused: in the SoLR Contingency role only a change to Credit mode is allowed (twin code)',
  X6: "refused: the device's supplier is not on the failed-supplier list (twin code)",
  X7: 'refused: no Authority instruction stands for this supplier and sender (twin code)',
  X8: 'refused: outside the 90-day window after the SoLR date (twin code)',
  X9: 'held: quarantined by anomaly detection (twin code)',
  X10: 'refused: a replayed request (twin code)',
  X11: 'refused: unknown request type (twin code)',
  X12: 'refused: the signing certificate is unknown or not valid for this use (twin code)',
  X13: 'refused: a request type the twin does not model (twin code)',
};

/** A response code's meaning, or a plain "not known" for a code this report has no words for. */
export function describeResponseCode(code: string): string {
  return Object.hasOwn(RESPONSE_CODE_WORDS, code) ? RESPONSE_CODE_WORDS[code as ResponseCode] : 'a code this report has no description for';
}

/** What each device alert means, in words, for `AlertCount.description`. */
export const DEVICE_ALERT_WORDS: Readonly<Record<AlertCode, string>> = {
  [ALERT.lowCredit]: 'credit is low',
  [ALERT.creditAddedLocally]: 'credit added with a top-up code typed at the meter or display',
  [ALERT.ecAvailable]: 'emergency credit is available',
  [ALERT.ecActivated]: 'emergency credit taken',
  [ALERT.ecExhausted]: 'emergency credit used up',
  [ALERT.timeDebt1Cleared]: 'time-based debt 1 paid off',
  [ALERT.timeDebt2Cleared]: 'time-based debt 2 paid off',
  [ALERT.paymentDebtCleared]: 'payment-based debt paid off',
  [ALERT.armedByEmergencyCredit]: 'supply armed after emergency credit was taken',
  [ALERT.creditBelowDisablement]: 'credit below the disablement threshold',
  [ALERT.supplyArmed]: 'supply armed: waiting for the consumer to press the button',
  [ALERT.disablementSuspended]: 'disablement for lack of credit held off (a non-disablement period)',
  [ALERT.overMaxBalance]: 'top-up refused: the balance would exceed its maximum',
  [ALERT.overMaxCredit]: 'top-up refused: more than the most one top-up may add',
  [ALERT.utrnDuplicate]: 'top-up code refused: already used',
  [ALERT.utrnNotAuthentic]: 'top-up code refused: not authentic',
  [ALERT.utrnNotForThisDevice]: 'top-up code refused: made for another meter',
  [ALERT.utrnEntrySuspended]: 'top-up code entry locked after repeated wrong codes',
  [ALERT.utrnLockedOut]: 'top-up code refused: entry is locked',
};

/** A device alert's code as reports write it (`0x8F0F`) and its meaning in words. */
export function deviceAlertInWords(code: number): { readonly code: string; readonly description: string } {
  const words = Object.hasOwn(DEVICE_ALERT_WORDS, code)
    ? DEVICE_ALERT_WORDS[code as AlertCode]
    : 'an alert this report has no description for';
  return { code: `0x${code.toString(16).toUpperCase().padStart(4, '0')}`, description: words };
}

/** Device kinds in stories, in words. */
export const DEVICE_WORDS: Readonly<Record<string, string>> = {
  ESME: 'electricity meter',
  GSME: 'gas meter',
  PPMID: 'in-home prepayment display',
  CHF: 'communications hub',
  GPF: 'gas proxy in the communications hub',
};

/** The terms a reader may not know, with their meaning; both written reports end with this list. */
export const GLOSSARY: readonly (readonly [term: string, meaning: string])[] = [
  ['Authority', 'Ofgem, the energy regulator. Its instruction lets the SRP put a failed supplier’s prepayment meters into Credit mode.'],
  ['SoLR', 'Supplier of Last Resort: the supplier appointed to take over a failed supplier’s customers.'],
  ['SRP', 'Shared Resource Provider: the agent that holds a small supplier’s access to the smart-metering network.'],
  ['DCC', 'The Data Communications Company, which runs the smart-metering network; every service request goes through it.'],
  ['Service request', 'A command or question a DCC User (a supplier, an SRP) sends to a device through the DCC.'],
  [
    'Response code',
    'The DCC’s answer to a service request. I codes mean success; E codes are refusals or failures; X codes are this twin’s own.',
  ],
  ['Credit mode (safe mode)', 'The meter stops charging a prepaid balance, so it cannot cut the supply for lack of credit.'],
  ['Time to safe mode', 'Minutes from the Authority’s instruction to Credit mode applied on a meter.'],
  ['Armed', 'The meter may supply again but waits until the consumer presses a button; until then the home has no energy.'],
  ['Off supply', 'The meter is not supplying energy, for whatever cause.'],
  ['Meter-hours', 'Hours a meter was off supply, added over meters: a home off on both fuels for one hour counts two.'],
  ['Vulnerable', 'Households the scenario marks as vulnerable (Priority Services Register or low income).'],
  ['Self-disconnecting', 'Households that go without energy rather than top up.'],
  ['Quarantine', 'The DCC holds a request that breaks the sender’s anomaly-detection threshold until the sender releases it.'],
  [
    'Audit trail',
    'The DCC’s hash-chained record of every request, outcome, alert and change; “verifies” means nothing in it was altered, removed or reordered.',
  ],
  ['Percentile', 'The 90th percentile is the time within which 90 % of the meters were in Credit mode.'],
];

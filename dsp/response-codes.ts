/**
 * The answers the DSP gives, as DUIS response codes. // DOMAIN §4.4
 *
 * `I…` and `E…` codes are DUIS's own, used with their published meaning.
 * DUIS gives no public code for several checks the emulator makes (signature,
 * revocation, the MP134B gates, anomaly quarantine, replay); for those the
 * emulator answers with its own `X…` codes. They are not DUIS codes and a real
 * DCC would answer differently (DOMAIN §4.4: "the emulator should define its
 * own documented mapping … and mark it as emulator-specific").
 * docs/dsp-rules.md lists every code with the rule that gives it.
 */

/** DUIS response codes the emulator gives. // DOMAIN §4.4 */
export const DUIS_CODES = {
  /** Success. */
  I0: 'I0',
  /** Acknowledged: accepted for sending to the device, access control passed. */
  I99: 'I99',
  /** Invalid User / User Role combination. */
  E1: 'E1',
  /** The User Role may not send this Service Reference Variant. */
  E2: 'E2',
  /** The User's status does not permit it (e.g. suspended). */
  E3: 'E3',
  /** The User Role is not authorised for this device at this date and time (registration). UNVERIFIED mapping. */
  E4: 'E4',
  /** The device's SMI status does not permit it. */
  E5: 'E5',
  /** The Service Reference Variant is not valid for the device type. */
  E11: 'E11',
  /** The Command Variant is not valid for this request. */
  E12: 'E12',
  /** The request type is not valid for the service it was sent to. */
  E13: 'E13',
  /** The device does not exist in the inventory. */
  E19: 'E19',
  /** Communication with the device could not be established. */
  E20: 'E20',
  /** No response was received from the device in time. */
  E21: 'E21',
} as const;

/**
 * Emulator-specific codes: checks the DSP makes for which DUIS publishes no
 * code. Marked `X` so nobody mistakes them for DUIS codes.
 */
export const EMULATOR_CODES = {
  /** The request could not be read: a field is missing, of the wrong type or out of range. */
  X1: 'X1',
  /** The XML signature (or the signed pre-command's signature) does not verify. */
  X2: 'X2',
  /** The signing certificate is revoked. // MP134A */
  X3: 'X3',
  /** The signed pre-command is not the command the DSP transformed (CV 4), or no transform preceded it. // DOMAIN §4.3 */
  X4: 'X4',
  /** SoLR Contingency content rule: the signed content must change payment mode to Credit. // MP134B req 5 */
  X5: 'X5',
  /** SoLR Contingency: the device's supplier is not on the failed-supplier list. // MP134B req 6 */
  X6: 'X6',
  /** SoLR Contingency: no Authority instruction stands for this supplier and sender. // MP134B req 6 */
  X7: 'X7',
  /** Outside the SRP arrangement window (at most 90 days from the SoLR date). // MP185 §3 */
  X8: 'X8',
  /** Quarantined by anomaly detection (ADT threshold breached; zero by default for the SoLR Contingency role). // MP134B req 4 */
  X9: 'X9',
  /** Replay: the counter is not above the originator's last, or the RequestID was used for different content. // DOMAIN §4.1 */
  X10: 'X10',
  /** The Service Reference Variant is unknown. */
  X11: 'X11',
  /** The signing certificate is unknown, not the sender's, not valid for this use, or outside its validity. */
  X12: 'X12',
  /** The SRV is in the DUIS catalogue but the twin does not model its body or its device command. */
  X13: 'X13',
} as const;

export type DuisCode = (typeof DUIS_CODES)[keyof typeof DUIS_CODES];
export type EmulatorCode = (typeof EMULATOR_CODES)[keyof typeof EMULATOR_CODES];
/** Every code the DSP may answer with. */
export type ResponseCode = DuisCode | EmulatorCode;

/** A stage's refusal: the code and a sentence that says what was wrong, for the User and the audit trail. */
export interface Rejection {
  readonly code: Exclude<ResponseCode, 'I0' | 'I99'>;
  readonly reason: string;
}

export const reject = (code: Rejection['code'], reason: string): Rejection => ({ code, reason });

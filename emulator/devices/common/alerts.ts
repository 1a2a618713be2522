/**
 * Device alert codes a prepayment meter raises. 0x8Fxx are critical alerts,
 * 0x80xx/0x81xx non-critical. // DOMAIN §1.4, §2.3 [GBCSP util.ts]
 */
export const ALERT = {
  /** Combined credit below low credit threshold (prepayment mode). */
  lowCredit: 0x810d,
  /** Credit added locally (UTRN typed at the meter or PPMID). */
  creditAddedLocally: 0x810e,
  /** Emergency credit has become available. */
  ecAvailable: 0x8119,
  /** Emergency credit activated. */
  ecActivated: 0x81ab,
  /** Emergency credit exhausted. */
  ecExhausted: 0x81aa,
  /** Debt collection completed: time debt 1, time debt 2, payment debt. */
  timeDebt1Cleared: 0x81a7,
  timeDebt2Cleared: 0x81a8,
  paymentDebtCleared: 0x81a9,
  /** Supply disabled then armed: activate emergency credit triggered. // OPEN-QUESTIONS B4 */
  armedByEmergencyCredit: 0x8168,
  /** Credit below disablement threshold (prepayment mode). */
  creditBelowDisablement: 0x8f0f,
  /** Supply armed. */
  supplyArmed: 0x8f32,
  /** Disablement of supply due to insufficient credit has been suspended. */
  disablementSuspended: 0x8f83,
  /** Credit would cause meter balance to exceed maximum meter balance threshold. */
  overMaxBalance: 0x8f47,
  /** UTRN exceeds maximum credit threshold. */
  overMaxCredit: 0x8f5b,
  /** Duplicate UTRN entered. */
  utrnDuplicate: 0x8f51,
  /** UTRN not authentic. */
  utrnNotAuthentic: 0x8f63,
  /** UTRN not for this device. */
  utrnNotForThisDevice: 0x8f64,
  /** UTRN manual entry suspended (lockout starts). */
  utrnEntrySuspended: 0x81c4,
  /** UTRN rejected as locked out. */
  utrnLockedOut: 0x81c5,
} as const;

export type AlertCode = (typeof ALERT)[keyof typeof ALERT];

const NAMES = new Map<number, string>(Object.entries(ALERT).map(([k, v]) => [v, k]));

/** `0x8F0F creditBelowDisablement`, for logs and reports. */
export const describeAlert = (code: number): string =>
  `0x${code.toString(16).toUpperCase().padStart(4, '0')} ${NAMES.get(code) ?? 'unknown'}`;

/** 0x8Fxx alerts are critical. // DOMAIN §1.4 (pattern, UNVERIFIED as a rule) */
export const isCriticalAlert = (code: number): boolean => (code & 0xff00) === 0x8f00;

import { selectConsumerDetail } from '../../../scenarios/report/consumer-detail.ts';
import type { GroupOutcome, PolicyResult, Report } from '../../../scenarios/report/report-model.ts';
import { summariseTimeToSafeMode } from '../../../scenarios/report/time-to-safe-mode.ts';

/**
 * A hand-made report: one estate of 1 000 homes for three days under two
 * policies, one assertion passed and one failed with its story. The scenario
 * name carries markup, as a hostile scenario file could.
 */

export const HOSTILE_NAME = 'Supplier X fails <script>alert("x")</script> & co';

const SRP = '90-B3-D5-1F-30-00-00-02';
const SUPPLIER = '90-B3-D5-1F-30-01-00-00';

const group = (consumers: number, meters: number, everOff: number, credit: number, armed: number, max: number): GroupOutcome => ({
  consumers,
  meters,
  consumersEverOff: everOff,
  meterMinutesOff: { credit, armed, remote: 0, fault: everOff > 0 ? 30 : 0 },
  consumerMinutesOff: credit + armed,
  maxConsumerMinutesOff: max,
});

/** Off-supply counts per hour: a rise after the failure, and a fall once meters reach Credit mode (if they do). */
const series = (recovers: boolean): number[] =>
  Array.from({ length: 72 }, (_, h) => (h < 20 ? 0 : recovers ? Math.max(0, 40 - 2 * (h - 20)) : Math.min(120, 3 * (h - 20))));

const doNothing: PolicyResult = {
  policy: 'Do nothing',
  description: 'No SRP action; meters stay in prepayment mode.',
  outcomes: {
    all: group(1000, 1600, 140, 52_000, 3_000, 3_100),
    prepayment: group(900, 1450, 140, 52_000, 3_000, 3_100),
    credit: group(100, 150, 0, 0, 0, 0),
    vulnerable: group(300, 480, 45, 17_000, 900, 3_100),
    selfDisconnecting: group(60, 90, 30, 9_000, 100, 2_900),
  },
  offSupplySeries: { start: '2026-01-05T00:00:00Z', bucketMinutes: 60, consumersOff: series(false) },
  timeToSafeMode: summariseTimeToSafeMode(null, []),
  serviceRequests: [{ user: SUPPLIER, received: 3, success: 0, error: 3, quarantined: 0, inFlight: 0, byCode: { X3: 3 } }],
  quarantines: { quarantined: 0, released: 0, removed: 0, expired: 0, heldAtEnd: 0, byUser: {} },
  alerts: [
    { source: 'device', code: '0x8F0F', description: 'Credit below disablement threshold', recipient: null, count: 210 },
    { source: 'device', code: '0x810D', description: 'Low credit', recipient: null, count: 480 },
  ],
  audit: {
    records: 9,
    byKind: { request: 3, outcome: 3, alert: 3, admin: 0 },
    chainVerifies: true,
    chainBreak: null,
    head: 'a'.repeat(64),
  },
  faults: {
    alertsQueued: 0,
    alertsDeliveredLate: 0,
    alertsQueuedAtEnd: 0,
    alertsLost: 0,
    lostAtOfflineHub: 0,
    heldForDsp: 0,
    messagesLost: 0,
  },
  consumers: selectConsumerDetail(
    [
      {
        id: 'P000017',
        paymentMode: 'prepayment',
        vulnerable: true,
        selfDisconnecting: false,
        minutesOff: 3100,
        meters: [
          {
            id: '00-DB-12-00-00-00-00-11',
            fuel: 'electricity',
            paymentMode: 'prepayment',
            minutesOff: { credit: 3000, armed: 100, remote: 0, fault: 0 },
            instructedAt: null,
            minutesToSafeMode: null,
          },
        ],
      },
      {
        id: 'P000002',
        paymentMode: 'credit',
        vulnerable: false,
        selfDisconnecting: false,
        minutesOff: 0,
        meters: [
          {
            id: '00-DB-12-00-00-00-00-02',
            fuel: 'electricity',
            paymentMode: 'credit',
            minutesOff: { credit: 0, armed: 0, remote: 0, fault: 0 },
            instructedAt: null,
            minutesToSafeMode: null,
          },
        ],
      },
    ],
    10,
  ),
};

const safeMinutes = [4, 9, 12, 14, 20, 31, 45, 58, 75, 130, 200, 500, 1500, null, null];

const srpToCredit: PolicyResult = {
  policy: 'SRP sends SR 1.6 <Credit>',
  description: 'On the Authority instruction the SRP puts every prepayment meter into Credit mode.',
  outcomes: {
    all: group(1000, 1600, 40, 6_000, 1_200, 900),
    prepayment: group(900, 1450, 40, 6_000, 1_200, 900),
    credit: group(100, 150, 0, 0, 0, 0),
    vulnerable: group(300, 480, 12, 1_800, 400, 900),
    selfDisconnecting: group(60, 90, 9, 900, 80, 700),
  },
  offSupplySeries: { start: '2026-01-05T00:00:00Z', bucketMinutes: 60, consumersOff: series(true) },
  timeToSafeMode: summariseTimeToSafeMode('2026-01-05T20:00:00Z', safeMinutes),
  serviceRequests: [
    { user: SRP, received: 30, success: 24, error: 2, quarantined: 3, inFlight: 1, byCode: { I0: 24, E4: 1, X2: 1, X9: 3 } },
    { user: SUPPLIER, received: 3, success: 0, error: 3, quarantined: 0, inFlight: 0, byCode: { X3: 3 } },
  ],
  quarantines: { quarantined: 3, released: 2, removed: 0, expired: 0, heldAtEnd: 1, byUser: { [SRP]: 3 } },
  alerts: [
    { source: 'device', code: '0x8F32', description: 'Supply armed', recipient: SRP, count: 12 },
    { source: 'dcc', code: 'AD1', description: 'Request quarantined by anomaly detection', recipient: SRP, count: 3 },
  ],
  audit: {
    records: 75,
    byKind: { request: 35, outcome: 33, alert: 5, admin: 2 },
    chainVerifies: false,
    chainBreak: { index: 41, reason: 'hash does not match the record' },
    head: 'b'.repeat(64),
  },
  // A WAN outage during the switch: alerts queued in the hubs, some still there at the end.
  faults: {
    alertsQueued: 14,
    alertsDeliveredLate: 12,
    alertsQueuedAtEnd: 2,
    alertsLost: 1,
    lostAtOfflineHub: 3,
    heldForDsp: 0,
    messagesLost: 0,
  },
  consumers: selectConsumerDetail([
    {
      id: 'P000123',
      paymentMode: 'prepayment',
      vulnerable: true,
      selfDisconnecting: true,
      minutesOff: 900,
      meters: [
        {
          id: '00-DB-12-00-00-00-01-23',
          fuel: 'electricity',
          paymentMode: 'prepayment',
          minutesOff: { credit: 300, armed: 600, remote: 0, fault: 0 },
          instructedAt: '2026-01-05T20:00:00Z',
          minutesToSafeMode: 1500,
        },
        {
          id: '00-DB-12-00-00-00-01-24',
          fuel: 'gas',
          paymentMode: 'prepayment',
          minutesOff: { credit: 0, armed: 0, remote: 0, fault: 0 },
          instructedAt: '2026-01-05T20:00:00Z',
          minutesToSafeMode: null,
        },
      ],
    },
  ]),
};

/** The sample: two policies, two assertions, the second failed with a story. */
export const SAMPLE_REPORT: Report = {
  reportVersion: 1,
  run: {
    scenario: HOSTILE_NAME,
    description: 'A small supplier with 1 000 prepayment homes fails on a Monday evening in January.',
    seed: '7',
    start: '2026-01-05T00:00:00Z',
    end: '2026-01-08T00:00:00Z',
    days: 3,
    premises: 1000,
    bus: 'memory',
    wallClockSeconds: 4.2,
    assumptions: {
      emergencyCredit: { value: 10, unit: 'GBP per fuel', source: 'DOMAIN §7.5' },
      armedPressDelay: { value: 45, unit: 'minutes', source: 'default, UNVERIFIED | no public figure' },
    },
    parties: [
      { id: SRP, name: 'SRP for Supplier X', role: 'Shared Resource Provider acting in the SoLR Contingency role' },
      { id: SUPPLIER, name: 'Supplier X', role: 'the failed supplier' },
    ],
  },
  policies: [doNothing, srpToCredit],
  assertions: [
    {
      name: 'Every instructed meter reaches Credit mode',
      policy: 'SRP sends SR 1.6 <Credit>',
      passed: true,
      expected: 'all instructed meters in Credit mode by the end',
      actual: '13 of 15 meters',
      story: null,
    },
    {
      name: 'No vulnerable consumer off for more than 60 minutes',
      policy: 'SRP sends SR 1.6 <Credit>',
      passed: false,
      expected: 'at most 60 minutes off supply for every vulnerable consumer',
      actual: '12 vulnerable consumers; the longest 900 minutes',
      story: {
        consumer: 'P000123',
        devices: [
          { id: '00-DB-12-00-00-00-01-23', kind: 'ESME' },
          { id: '00-DB-12-00-00-00-01-24', kind: 'GSME' },
        ],
        events: [
          { at: '2026-01-05T18:00:00Z', text: 'Electricity meter disabled supply: credit exhausted' },
          { at: '2026-01-05T20:00:00Z', text: 'The Authority instructs the SRP <now>' },
          { at: '2026-01-06T21:00:00Z', text: 'Electricity meter put into Credit mode; supply armed' },
          { at: '2026-01-07T07:00:00Z', text: 'Consumer pressed the button; supply on' },
        ],
      },
    },
  ],
};

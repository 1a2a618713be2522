import { unwrap } from '../../core/result.ts';
import type { CommandVariant } from './command-variant.ts';
import type { MatrixRole } from './roles.ts';
import { parseSrv, serviceReferenceOf, type ServiceReference, type Srv } from './srv.ts';

/**
 * The DUIS Service Request catalogue: every Service Reference Variant the DSP
 * knows, who may send it and how. // DOMAIN §4.9
 *
 * Transcribed row by row from DOMAIN §4.9 (itself from the DUIS access matrix
 * and the DUIS schema's Command Variant comments); names are kept as the table
 * writes them, stray spaces and dashes included, and roles in the table's
 * order. The DSP's access decisions are derived from this data only.
 */

/** How a future-dated request is carried out: not at all, held by the DSP, by the device, or both (6.23). // DOMAIN §4.3 */
export const FUTURE_DATED_PATTERNS = ['No', 'Device', 'DSP', 'DSP & Device'] as const;

/** The table's "Future-dated response pattern". */
export type FutureDatedPattern = (typeof FUTURE_DATED_PATTERNS)[number];

/** One row of the catalogue. */
export interface SrvEntry {
  readonly srv: Srv;
  /** The Service Reference it is a variant of (`4.1.1` → `4.1`). */
  readonly serviceReference: ServiceReference;
  readonly name: string;
  /** Critical SRVs go through transform and a signed pre-command (CV 4, then 5–7). */
  readonly critical: boolean;
  readonly futureDated: FutureDatedPattern;
  /** The matrix roles that may send it; empty for the three rows the table lists none for (7.16, 8.5, 8.6). */
  readonly roles: readonly MatrixRole[];
  /** The Command Variants a request for it may carry, ascending. */
  readonly commandVariants: readonly CommandVariant[];
  /** GBCS use cases (RTDS 4.5.0 names); empty for non-device SRVs. */
  readonly useCases: readonly string[];
  /** Answered by the DCC itself (CV 8) rather than sent to a device. // DOMAIN §4.2 */
  readonly nonDevice: boolean;
  /** The allowed CVs are DOMAIN's UNVERIFIED correction of the schema comment (†, 7.12–7.15), not the schema's own. */
  readonly commandVariantsCorrected: boolean;
}

// The Service References DOMAIN §4.2 names as non-device ("5.x, 8.2–8.4, 8.6, 8.13, 8.14.x, 11.1, 11.4, 12.x").
// Kept apart from the CV column so the catalogue test can check the two sources agree.
const NON_DEVICE_SRS: ReadonlySet<string> = new Set([
  '5.1',
  '5.2',
  '5.3',
  '8.2',
  '8.3',
  '8.4',
  '8.6',
  '8.13',
  '8.14',
  '11.1',
  '11.4',
  '12.1',
  '12.2',
]);

// † DOMAIN §4.9: the schema comment for 7.12–7.15 appears shifted by two rows relative to criticality; the CVs
// below follow "critical ⇒ 4–7, non-critical device ⇒ 1–3". UNVERIFIED correction.
const CV_CORRECTED: ReadonlySet<string> = new Set(['7.12', '7.13', '7.14', '7.15']);

function row(
  srv: string,
  name: string,
  critical: boolean,
  futureDated: FutureDatedPattern,
  roles: readonly MatrixRole[],
  commandVariants: readonly CommandVariant[],
  useCases: readonly string[],
): SrvEntry {
  const parsed = unwrap(parseSrv(srv, 'SRV_CATALOGUE'));
  const serviceReference = serviceReferenceOf(parsed);
  return Object.freeze({
    srv: parsed,
    serviceReference,
    name,
    critical,
    futureDated,
    roles: Object.freeze([...roles]),
    commandVariants: Object.freeze([...commandVariants]),
    useCases: Object.freeze([...useCases]),
    nonDevice: NON_DEVICE_SRS.has(serviceReference),
    commandVariantsCorrected: CV_CORRECTED.has(srv),
  });
}

/**
 * All 129 Service Reference Variants of DOMAIN §4.9, in the table's order, frozen.
 * Columns: SRV, name, critical, future-dated pattern, eligible roles, allowed CVs, GBCS use cases.
 */
export const SRV_CATALOGUE: readonly SrvEntry[] = Object.freeze([
  // DOMAIN §4.9
  row('1.1.1', 'Update Import Tariff (Primary Element)', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS01a', 'GCS01a']),
  row('1.1.2', 'Update Import Tariff (Secondary Element)', true, 'Device', ['IS'], [4, 5, 6, 7], ['ECS01c']),
  row('1.2.1', 'Update Price (Primary Element)', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS01b', 'GCS01b']),
  row('1.2.2', 'Update Price (Secondary Element)', true, 'Device', ['IS'], [4, 5, 6, 7], ['ECS01d']),
  row('1.5', 'Update Meter Balance', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS04a', 'ECS04b', 'GCS40a', 'GCS40b', 'GCS40c', 'GCS40d']),
  row('1.6', 'Update Payment Mode', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS02', 'ECS03', 'GCS02', 'GCS03']),
  row('1.7', 'Reset Tariff Block Counter Matrix', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS05']),
  row('2.1', 'Update Prepay Configuration', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS08', 'ECS08a', 'GCS05']),
  row('2.2', 'Top Up Device', false, 'No', ['IS', 'GS'], [1, 2, 3], ['CS01a', 'CS01b']),
  row('2.3', 'Update Debt', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS07', 'GCS04']),
  row('2.5', 'Activate Emergency Credit', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS09', 'GCS06']),
  row('3.1', 'Display Message', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS10', 'GCS07']),
  row('3.2', 'Restrict Access For Change Of Tenancy', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS12', 'GCS09']),
  row('3.3', 'Clear Event Log', false, 'No', ['IS', 'GS'], [1, 2, 3], ['CS11', 'ECS15a', 'ECS15c']),
  row('3.4', 'Update Supplier Name', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS16', 'GCS44']),
  row('3.5', 'Disable Privacy PIN', false, 'No', ['IS', 'GS'], [1, 2, 3], ['ECS14', 'GCS11']),
  row('4.1.1', 'Read Instantaneous Import Registers', false, 'DSP', ['IS', 'GS', 'ED', 'GT'], [1, 2, 3], ['ECS17b', 'GCS13a']),
  row('4.1.2', 'Read Instantaneous Import TOU Matrices', false, 'DSP', ['IS', 'GS', 'ED', 'GT'], [1, 2, 3], ['ECS17d', 'GCS13c']),
  row('4.1.3', 'Read Instantaneous Import TOU With Blocks Matrices', false, 'DSP', ['IS', 'ED'], [1, 2, 3], ['ECS17e']),
  row('4.1.4', 'Read Instantaneous Import Block Counters', false, 'DSP', ['GS'], [1, 2, 3], ['GCS13b']),
  row('4.2', 'Read Instantaneous Export Registers', false, 'DSP', ['ES', 'ED'], [1, 2, 3], ['ECS17a']),
  row('4.3', 'Read Instantaneous Prepay Values', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS19', 'GCS14']),
  row('4.4.2', 'Retrieve Change Of Mode / Tariff Triggered Billing Data Log', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS20b', 'GCS15b']),
  row('4.4.3', 'Retrieve Billing Calendar Triggered Billing Data Log', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS20c', 'GCS15c']),
  row('4.4.4', 'Retrieve Billing Data Log (Payment Based Debt Payments)', false, 'DSP', ['GS', 'IS'], [1, 2, 3], ['ECS20a', 'GCS15d']),
  row('4.4.5', 'Retrieve Billing Data Log (Prepayment Credits)', false, 'DSP', ['GS', 'IS'], [1, 2, 3], ['ECS20d', 'GCS15e']),
  row('4.6.1', 'Retrieve Import Daily Read Log', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS21a', 'GCS16a']),
  row('4.6.2', 'Retrieve Export Daily Read Log', false, 'DSP', ['ES'], [1, 2, 3], ['ECS21c']),
  row('4.8.1', 'Read Active Import Profile Data', false, 'DSP', ['IS', 'GS', 'ED', 'GT', 'OU'], [1, 2, 3], ['ECS22b', 'GCS17']),
  row('4.8.2', 'Read Reactive Import Profile Data', false, 'DSP', ['IS', 'ED', 'OU'], [1, 2, 3], ['ECS22c']),
  row('4.8.3', 'Read Export Profile Data', false, 'DSP', ['ES', 'ED', 'OU'], [1, 2, 3], ['ECS22a']),
  row('4.10', 'Read Network Data', false, 'DSP', ['IS', 'GS', 'ED', 'GT'], [1, 2, 3], ['ECS23', 'ECS23b', 'GCS18']),
  row('4.11.1', 'Read Tariff (Primary Element)', false, 'No', ['IS', 'GS', 'OU'], [1, 2, 3], ['ECS24', 'GCS21f']),
  row('4.11.2', 'Read Tariff (Secondary Element)', false, 'No', ['IS', 'OU'], [1, 2, 3], ['ECS24b']),
  row('4.12.1', 'Read Maximum Demand Import Registers', false, 'DSP', ['IS', 'ED'], [1, 2, 3], ['ECS18b']),
  row('4.12.2', 'Read Maximum Demand Export Registers', false, 'DSP', ['ES', 'ED'], [1, 2, 3], ['ECS18a']),
  row('4.13', 'Read Prepayment Configuration', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS26a', 'GCS21b']),
  row('4.14', 'Read Prepayment Daily Read Log', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS21b', 'GCS16b']),
  row('4.15', 'Read Load Limit Data', false, 'DSP', ['IS', 'ED'], [1, 2, 3], ['ECS27']),
  row('4.16', 'Read Active Power Import', false, 'No', ['IS', 'ED'], [1, 2, 3], ['ECS17c']),
  row('4.17', 'Retrieve Daily Consumption Log', false, 'DSP', ['IS', 'GS', 'ED', 'GT', 'OU'], [1, 2, 3], ['ECS66', 'GCS61']),
  row('4.18', 'Read Meter Balance', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS82', 'GCS60', 'GCS60a']),
  row('5.1', 'Create Schedule', false, 'No', ['IS', 'ES', 'GS', 'ED', 'GT', 'OU'], [8], []),
  row('5.2', 'Read Schedule', false, 'No', ['IS', 'ES', 'GS', 'ED', 'GT', 'OU'], [8], []),
  row('5.3', 'Delete Schedule', false, 'No', ['IS', 'ES', 'GS', 'ED', 'GT', 'OU'], [8], []),
  row('6.2.1', 'Read Device Configuration (Voltage)', false, 'No', ['IS', 'RSA', 'ED'], [1, 2, 3], ['ECS26b', 'ECS26k']),
  row('6.2.2', 'Read Device Configuration (Randomisation)', false, 'No', ['IS', 'RSA', 'ED'], [1, 2, 3], ['ECS26c']),
  row(
    '6.2.3',
    'Read Device Configuration (Billing Calendar)',
    false,
    'No',
    ['IS', 'RSA', 'GS'],
    [1, 2, 3],
    ['ECS26d', 'ECS26l', 'GCS21d', 'GCS21k'],
  ),
  row(
    '6.2.4',
    'Read Device Configuration (Identity Exc MPxN)',
    false,
    'No',
    ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'],
    [1, 2, 3],
    ['ECS26e', 'ECS26i', 'ECS26m', 'ECS26n', 'GCS21e', 'GCS21m'],
  ),
  row('6.2.5', 'Read Device Configuration (Instantaneous Power Thresholds)', false, 'No', ['IS', 'RSA'], [1, 2, 3], ['ECS26f']),
  row('6.2.7', 'Read Device Configuration (MPxN)', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [1, 2, 3], ['ECS40', 'GCS46']),
  row('6.2.8', 'Read Device Configuration (Gas)', false, 'No', ['GS', 'RSA', 'GT'], [1, 2, 3], ['GCS21a']),
  row('6.2.9', 'Read Device Configuration (Payment Mode)', false, 'No', ['IS', 'GS', 'RSA'], [1, 2, 3], ['ECS26j', 'GCS21j']),
  row(
    '6.2.10',
    'Read Device Configuration (Event and Alert Behaviours)',
    false,
    'No',
    ['IS', 'GS', 'ED'],
    [1, 2, 3],
    ['ECS25r1', 'ECS25r2', 'GCS20r'],
  ),
  row('6.4.1', 'Update Device Configuration (Load Limiting General Settings)', true, 'Device', ['IS'], [4, 5, 6, 7], ['ECS28a']),
  row('6.4.2', 'Update Device Configuration (Load Limiting Counter Reset)', false, 'DSP', ['IS'], [1, 2, 3], ['ECS28b']),
  row('6.5', 'Update Device Configuration (Voltage)', false, 'DSP', ['ED'], [1, 2, 3], ['ECS29a', 'ECS29b', 'ECS29c', 'ECS29d']),
  row('6.6', 'Update Device Configuration (Gas Conversion)', true, 'No', ['GS'], [4, 5, 6, 7], ['GCS23']),
  row('6.7', 'Update Device Configuration (Gas Flow)', true, 'No', ['GS'], [4, 5, 6, 7], ['GCS24', 'GCS24a']),
  row(
    '6.8',
    'Update Device Configuration (Billing Calendar)',
    true,
    'No',
    ['IS', 'GS'],
    [4, 5, 6, 7],
    ['ECS30', 'ECS30a', 'GCS25', 'GCS25a'],
  ),
  row('6.11', 'Synchronise Clock', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS70', 'GCS28']),
  row('6.12', 'Update Device Configuration (Instantaneous Power Threshold)', false, 'DSP', ['IS'], [1, 2, 3], ['ECS34']),
  row(
    '6.13',
    'Read Event Or Security Log',
    false,
    'No',
    ['IS', 'GS', 'ED', 'GT', 'RSA'],
    [1, 2, 3],
    ['CS10a', 'CS10b', 'ECS35a', 'ECS35b', 'ECS35c', 'ECS35d', 'ECS35e', 'ECS35f', 'ECS35g'],
  ),
  row('6.14.1', 'Update Device Configuration (Auxiliary Load Control Description)', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS46a']),
  row('6.14.2', 'Update Device Configuration (Auxiliary Load Control Scheduler)', true, 'Device', ['IS'], [4, 5, 6, 7], ['ECS46c']),
  row('6.14.3', 'Update Device Configuration (Auxiliary Controller Scheduler)', true, 'Device', ['IS'], [4, 5, 6, 7], ['ECS46d']),
  row(
    '6.15.1',
    'Update Security Credentials (KRP)',
    true,
    'Device',
    ['IS', 'GS', 'ED', 'GT'],
    [4, 5, 6, 7],
    ['CS02bNOByNO', 'CS02bSupplierBySupplier', 'CS02gLoadControllerBySupplier'],
  ),
  row('6.15.2', 'Update Security Credentials (Device)', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['CS02d']),
  row('6.17', 'Issue Security Credentials', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['CS02c']),
  row('6.18.1', 'Set Maximum Demand Configurable Time Period', false, 'DSP', ['ED'], [1, 2, 3], ['ECS37']),
  row('6.18.2', 'Reset Maximum Demand Registers', false, 'DSP', ['ED'], [1, 2, 3], ['ECS57']),
  row('6.20.1', 'Set Device Configuration (Import MPxN)', false, 'DSP', ['IS', 'GS'], [1, 2, 3], ['ECS39a', 'GCS41']),
  row('6.20.2', 'Set Device Configuration (Export MPAN)', false, 'DSP', ['ES'], [1, 2, 3], ['ECS39b']),
  row(
    '6.21',
    'Request Handover Of DCC Controlled Device',
    false,
    'DSP',
    ['IS', 'GS'],
    [1, 2, 3],
    ['CS02bNOByNOHandover', 'CS02bSupplierBySupplierHandover'],
  ),
  row(
    '6.22',
    'Configure Alert Behaviour',
    false,
    'No',
    ['IS', 'GS', 'ED'],
    [1, 2, 3],
    ['ECS25a', 'ECS25a1', 'ECS25a2', 'ECS25a3', 'ECS25b', 'ECS25b3', 'GCS20'],
  ),
  row('6.23', 'Update Security Credentials (CoS)', false, 'DSP & Device', ['IS', 'GS'], [1, 2, 3], ['CS02bSupplierByTransCoS']),
  row('6.24.1', 'Retrieve Device Security Credentials (KRP)', false, 'No', ['IS', 'GS', 'ED', 'GT'], [1, 2, 3], ['CS02aMAC', 'CS02fMAC']),
  row('6.24.2', 'Retrieve Device Security Credentials (Device)', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['CS02e']),
  row('6.25', 'Set Electricity Supply Tamper State', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS81']),
  row('6.26', 'Update Device Configuration (daily resetting of Tariff Block Counter Matrix)', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS48']),
  row('6.27', 'Update Device Configuration (RMS Voltage Counter Reset)', false, 'DSP', ['ED'], [1, 2, 3], ['ECS29e', 'ECS29f']),
  row('6.28', 'Set CHF Sub GHz Configuration', false, 'No', ['IS', 'GS'], [1, 2, 3], ['DBCH04']),
  row('6.29', 'Request CHF Sub GHz Channel Scan', false, 'No', ['IS', 'GS'], [1, 2, 3], ['DBCH05']),
  row('6.30', 'Read CHF Sub GHz Configuration', false, 'No', ['IS', 'GS', 'RSA'], [1, 2, 3], ['DBCH03']),
  row('6.31', 'Read CHF Sub GHz Channel', false, 'No', ['IS', 'GS', 'RSA'], [1, 2, 3], ['DBCH01']),
  row('6.32', 'Read CHF Sub GHz Channel Log', false, 'No', ['IS', 'GS', 'RSA'], [1, 2, 3], ['DBCH02']),
  row('7.1', 'Enable Supply', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS42']),
  row('7.2', 'Disable Supply', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS43', 'GCS32']),
  row('7.3', 'Arm Supply', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['ECS44', 'GCS39']),
  row('7.4', 'Read Supply Status', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT'], [1, 2, 3], ['ECS45', 'GCS33']),
  row('7.5', 'Activate Auxiliary Load', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS47Activate']),
  row('7.6', 'Deactivate Auxiliary Load', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS47Deactivate']),
  row('7.7', 'Read Auxiliary Load Switch Data', false, 'DSP', ['IS', 'ED', 'OU'], [1, 2, 3], ['ECS61a']),
  row('7.8', 'Reset Auxiliary Load', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS47Reset']),
  row('7.9', 'Add Auxiliary Load To Boost Button', false, 'DSP', ['IS'], [1, 2, 3], ['ECS62Add']),
  row('7.10', 'Remove Auxiliary Load From Boost Button', false, 'DSP', ['IS'], [1, 2, 3], ['ECS62Remove']),
  row('7.11', 'Read Boost Button Details', false, 'DSP', ['IS', 'OU'], [1, 2, 3], ['ECS61c']),
  // † 7.12–7.15: CVs by DOMAIN's UNVERIFIED correction of the schema comment (CV_CORRECTED).
  row('7.12', 'Set Randomised Offset Limit', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS38']),
  row('7.13', 'Set Auxiliary Controller State', true, 'No', ['IS'], [4, 5, 6, 7], ['ECS47a']),
  row('7.14', 'Read Auxiliary Controller Configuration Data', false, 'DSP', ['IS', 'ED', 'OU'], [1, 2, 3], ['ECS61d']),
  row('7.15', 'Read Auxiliary Controller Operational Data', false, 'DSP', ['IS', 'ED', 'OU'], [1, 2, 3], ['ECS61e']),
  // 7.16, 8.5, 8.6: the table lists no eligible role, so no matrix role may send them.
  row('7.16', 'Limit APC Level', true, 'No', [], [4, 5, 6, 7], ['ECS47e']),
  // 8.1.1: critical, yet the schema allows CV 4 and 5 only (no local delivery); kept as the table has it.
  row('8.1.1', 'Commission Device', true, 'No', ['IS', 'GS'], [4, 5], ['ECS70Commission', 'GCS28Commission']),
  row('8.2', 'Read Inventory', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [8], []),
  row('8.3', 'Decommission Device', false, 'No', ['IS', 'GS'], [8], []),
  row('8.4', 'Update Inventory', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [8], []),
  // 8.5: a device SRV (it has a GBCS use case) allowing CV 1 only.
  row('8.5', 'Service Opt Out', false, 'DSP', [], [1], ['CS02bACBByACB']),
  row('8.6', 'Service Opt In', false, 'No', [], [8], []),
  row('8.7.1', 'Join Service (Critical)', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['CS03A1', 'CS03A2Critical', 'CS03CCritical']),
  row(
    '8.7.2',
    'Join Service (Non-Critical)',
    false,
    'No',
    ['IS', 'GS', 'OU'],
    [1, 2, 3],
    ['CS03A2NonCritical', 'CS03B', 'CS03CNonCritical'],
  ),
  row('8.8.1', 'Unjoin Service (Critical)', true, 'No', ['IS', 'GS'], [4, 5, 6, 7], ['CS04ACCritical']),
  row('8.8.2', 'Unjoin Service (Non-Critical)', false, 'No', ['IS', 'GS', 'OU'], [1, 2, 3], ['CS04ACNonCritical', 'CS04B']),
  row('8.9', 'Read Device Log', false, 'DSP', ['IS', 'GS', 'OU'], [1, 2, 3], ['CCS05CCS04', 'CCS06', 'CCS07', 'CS07']),
  row('8.11', 'Update HAN Device Log', false, 'DSP', ['IS', 'GS', 'OU'], [1, 2, 3], ['CCS01', 'CCS02']),
  row('8.12.1', 'Restore HAN Device Log', false, 'No', ['IS', 'GS'], [1, 2, 3], ['CCS03']),
  row('8.12.2', 'Restore Gas Proxy Function Device Log', false, 'No', ['IS', 'GS'], [1, 2, 3], ['GCS59']),
  row('8.13', 'Return Local Command Response', false, 'No', ['IS', 'GS'], [8], []),
  row('8.14.1', 'Communications Hub Status Update- Install Success', false, 'No', ['IS', 'GS'], [8], []),
  row('8.14.2', 'Communications Hub Status Update - Install No SM WAN', false, 'No', ['IS', 'GS'], [8], []),
  row('8.14.3', 'Communications Hub  Status Update. – Fault Return', false, 'No', ['IS', 'GS'], [8], []),
  row('8.14.4', 'Communications Hub Status Update – No Fault Return', false, 'No', ['IS', 'GS'], [8], []),
  row('9.1', 'Request Customer Identification Number', false, 'No', ['OU'], [1, 2, 3], ['ECS50', 'GCS36']),
  row('11.1', 'Update Firmware', false, 'No', ['IS', 'GS'], [8], []),
  row('11.2', 'Read Firmware Version', false, 'DSP', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [1, 2, 3], ['CS08', 'ECS52', 'GCS38']),
  row('11.3', 'Activate Firmware', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['CS06']),
  row('11.4', 'Update PPMID Firmware', false, 'No', ['IS', 'GS'], [8], []),
  row('12.1', 'Request WAN Matrix', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [8], []),
  row('12.2', 'Device Pre-notification', false, 'No', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [8], []),
  row('14.1', 'Record Network Data (GAS)', false, 'No', ['GT'], [1, 2, 3], ['GCS31']),
]);

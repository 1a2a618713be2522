import { ADMISSION } from './admission.ts';
import { xmlCertificate, xmlSignature, replay } from './authentication.ts';
import { accessMatrix, device, registration, userAndRole } from './authorisation.ts';
import type { DspView, RequestFacts, Stage, StageResult } from './request-facts.ts';
import { command, preCommandSignature, solrContingencyContent, solrContingencyGates } from './solr-contingency.ts';

/**
 * The DSP's checks, as a literal list in the order they run. Each stage passes
 * or refuses with a response code; the first refusal ends the request.
 * docs/dsp-rules.md describes each stage, its source and its codes.
 * // DOMAIN §4.8 (validation order, an emulator proposal); OPEN-QUESTIONS A3
 *
 * Admission (`ADMISSION`) runs first and decides whether the request has a key
 * its sender owns; the ledger records the request only after it. Anomaly
 * detection runs after `DECISION`, in the service, because it counts and
 * holds what passes.
 */
export const DECISION: readonly Stage[] = [
  xmlCertificate,
  xmlSignature,
  replay,
  userAndRole,
  accessMatrix,
  device,
  registration,
  solrContingencyGates,
  command,
  solrContingencyContent,
  preCommandSignature,
];

export { ADMISSION };

/** Runs `stages` in order; the first verdict other than pass is the answer. */
export function runStages(stages: readonly Stage[], f: RequestFacts, dsp: DspView): StageResult {
  for (const stage of stages) {
    const r = stage.run(f, dsp);
    if (r !== undefined) return r;
  }
  return undefined;
}

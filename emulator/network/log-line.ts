import type { Instant } from '../../core/time/duration.ts';
import type { Envelope } from '../../proto/types.ts';

/**
 * The event log's wording: virtual time, topic, kind and the key fields of an
 * envelope — never a wall-clock field — so two runs of one script compare line
 * for line, on any bus.
 */

/** The key fields of an envelope for the log. */
export function describe(e: Envelope): string {
  switch (e.kind) {
    case 'wanCommand':
      return ` req=${e.requestId} device=${e.wanCommand.device} cmd=${e.wanCommand.command.kind}`;
    case 'hanCommand':
      return ` req=${e.requestId} cmd=${e.hanCommand.kind}`;
    case 'hanResponse':
      return ` req=${e.requestId} ${e.hanResponse.command}=${e.hanResponse.outcome}${e.hanResponse.reason !== undefined ? `/${e.hanResponse.reason}` : ''}`;
    case 'wanResponse':
      return ` req=${e.requestId} device=${e.wanResponse.device} ${e.wanResponse.response.command}=${e.wanResponse.response.outcome}`;
    case 'deviceAlert':
      return ` device=${e.deviceAlert.device} code=${hex4(e.deviceAlert.code)}`;
    default:
      return '';
  }
}

export const hex4 = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
export const stamp = (t: Instant): string => new Date(t).toISOString();

/** Where a node writes its log lines. */
export type LogSink = (line: string) => void;

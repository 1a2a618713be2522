/**
 * Flow-controlled publishing for the bus benchmarks: at most `window`
 * messages published and not yet received, so a benchmark measures the
 * steady rate rather than how deep a queue can grow.
 */

/** How many messages arrived, and in how many wall-clock seconds. */
export interface RunResult {
  readonly received: number;
  readonly seconds: number;
}

/**
 * Publishes `total` messages with `publish(i)`, never more than `window` ahead
 * of the receiver; `arrived` is handed the function the receiver calls per
 * message. Gives up after `limitMs` and says how many arrived.
 */
export function pump(
  total: number,
  publish: (i: number) => void,
  arrived: (onMessage: () => void) => void,
  window: number,
  limitMs: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    let finished = false;
    const start = performance.now();
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ received, seconds: (performance.now() - start) / 1000 });
    };
    const timer = setTimeout(finish, limitMs);
    const fill = (): void => {
      while (sent < total && sent - received < window) publish(sent++);
    };
    arrived(() => {
      if (finished) return;
      received++;
      if (received === total) finish();
      else if (sent - received < window / 2) fill();
    });
    fill();
  });
}

/** A one-line progress bar on a terminal; silent when the stream is not a TTY (CI, pipes). */
export function progressBar(
  stream: NodeJS.WriteStream,
  total: number,
  unit: string,
): { update: (n: number) => void; done: () => void } | null {
  if (!stream.isTTY) return null;
  const started = performance.now();
  let last = -1;
  return {
    update: (n) => {
      if (n === last) return;
      last = n;
      const width = 30;
      const filled = Math.round((width * n) / total);
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      stream.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] simulated ${unit} ${n} of ${total}  ${secs} s `);
    },
    done: () => stream.write('\r\x1b[2K'),
  };
}

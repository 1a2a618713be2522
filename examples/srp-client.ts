/**
 * An SRP's DUIS client against `smets-twin serve`, step by step: SR 1.6
 * (Credit) to one meter — CV 4 to the Transform service, the Pre-Command
 * signed with the Digital-Signing key, CV 5 to Send Command — and the
 * asynchronous I0 on its own receiver. PEM files and HTTP only.
 *
 *   npx tsx examples/srp-client.ts --url http://127.0.0.1:8079 \
 *     --credentials out/rehearsal/small-solr/credentials/srp --device 00-DB-12-00-00-00-00-01 --receive-port 9000
 *
 * docs/rehearsal.md "The sample client" walks through it; the code is
 * rehearsal/sample-client.ts.
 */
import { parseArgs } from 'node:util';
import { runCriticalFlow } from '../rehearsal/sample-client.ts';

const USAGE = `usage: npx tsx examples/srp-client.ts --url URL --credentials DIR --device EUI [--receive-port P] [--receive-host H] [--timeout S]
  --url           the twin, e.g. http://127.0.0.1:8079
  --credentials   the party's folder serve wrote (party.json and the PEM files)
  --device        the ESME (SMETS2) to put into Credit mode
  --receive-port  the receiver's port (default 9000; 0 for any free one)
  --receive-host  the receiver's address (default 127.0.0.1)
  --timeout       seconds to wait for the asynchronous response (default 30)
`;

async function main(): Promise<number> {
  let a;
  try {
    a = parseArgs({
      options: {
        url: { type: 'string' },
        credentials: { type: 'string' },
        device: { type: 'string' },
        'receive-port': { type: 'string' },
        'receive-host': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (a.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (a.url === undefined || a.credentials === undefined || a.device === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const port = Number(a['receive-port'] ?? '9000');
  const timeout = Number(a.timeout ?? '30');
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || !(timeout > 0)) {
    process.stderr.write(`--receive-port: a whole number from 0 to 65535; --timeout: seconds above 0\n${USAGE}`);
    return 2;
  }
  const r = await runCriticalFlow({
    url: a.url,
    credentials: a.credentials,
    device: a.device,
    receivePort: port,
    ...(a['receive-host'] === undefined ? {} : { receiveHost: a['receive-host'] }),
    timeoutMs: timeout * 1000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  if (!r.ok) {
    process.stderr.write(`srp-client: ${r.error}\n`);
    return 1;
  }
  await r.value.receiver.stop();
  const final = r.value.final;
  const outcome = final?.body?.kind === 'responseMessage' ? final.body.values?.['deviceOutcome'] : undefined;
  process.stdout.write(
    `result: ${[...r.value.synchronous, final?.header.responseCode ?? 'no asynchronous response'].join(' → ')}${outcome === undefined ? '' : ` (device ${outcome})`}\n`,
  );
  return final?.header.responseCode === 'I0' ? 0 : 1;
}

process.exitCode = await main();

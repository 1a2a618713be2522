/**
 * Real brokers for tests: the embedded aedes broker, and a mosquitto process
 * each test starts on a free loopback port of its own and stops again.
 *
 * Without mosquitto installed, the tests that need it are skipped with a
 * warning — unless `SMETS_REQUIRE_MOSQUITTO=1` (set by CI), when they run and
 * fail, so a missing broker cannot pass unnoticed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBrokerOptions } from '../../emulator/bus/embedded-broker.ts';
import { findMosquitto, startMosquitto } from '../../emulator/bus/mosquitto.ts';

/** A broker a test started; `close` stops it and removes what it left on disk. */
export interface TestBroker {
  readonly url: string;
  close(): Promise<void>;
}

/** The mosquitto executable, or null when it is not installed. */
export const MOSQUITTO = findMosquitto();

/** Whether the mosquitto tests must run even without mosquitto (and then fail). */
export const MOSQUITTO_REQUIRED = process.env['SMETS_REQUIRE_MOSQUITTO'] === '1';

const INSTALL_HINT = 'install it with `apt-get install mosquitto`';

/**
 * True when the tests that need mosquitto are to be skipped: it is not
 * installed and not required. Says so on the console, once per test file.
 */
export const skipMosquitto: boolean = MOSQUITTO === null && !MOSQUITTO_REQUIRED;
if (skipMosquitto) {
  console.warn(
    `[brokers] mosquitto is not installed: skipping the tests that need it (${INSTALL_HINT}; SMETS_REQUIRE_MOSQUITTO=1 makes this an error)`,
  );
}

/** Starts an embedded aedes broker on a free loopback port. */
export async function startTestEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<TestBroker> {
  const broker = await startEmbeddedBroker(options);
  return { url: broker.url, close: () => broker.close() };
}

/**
 * Starts mosquitto on a free loopback port, with its configuration and log in a fresh temporary directory.
 * `configure` may write files of its own there (e.g. `writeMosquittoAuth`) and returns lines for mosquitto.conf.
 */
export async function startTestMosquitto(configure?: (configDir: string) => Promise<readonly string[]>): Promise<TestBroker> {
  if (MOSQUITTO === null) throw new Error(`mosquitto is required (SMETS_REQUIRE_MOSQUITTO=1) but not installed: ${INSTALL_HINT}`);
  const configDir = await mkdtemp(join(tmpdir(), 'smets-mosquitto-'));
  try {
    const extraConfig = (await configure?.(configDir)) ?? [];
    const broker = await startMosquitto({ configDir, binary: MOSQUITTO, extraConfig });
    return {
      url: broker.url,
      close: async () => {
        await broker.stop();
        await rm(configDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
}

import { pbkdf2Sync } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { carrierOf, clientIdOf, grantsOf, principalOf, shardGrantsOf, type Principal } from './acl.ts';
import { deriveFromSecret, passwordFor, type BrokerPolicyOptions } from './broker-auth.ts';

/**
 * The bus's authorisation policy (`acl.ts`) as mosquitto 2.0 files: a
 * password file and an ACL file for a given list of principals, with the
 * passwords of `broker-auth.ts`, so the MQTT adapter with
 * `credentialsFor(secret)` connects to mosquitto exactly as to the embedded
 * broker with `brokerHooks(secret)`.
 *
 * As there, a broker's acknowledgement is never business acceptance; and
 * mosquitto, on MQTT 3.1.1, acknowledges a publish its ACL refused and drops it.
 */

/**
 * PBKDF2 iterations of a password line: mosquitto_passwd's own default. The
 * passwords are 256-bit HMAC outputs, not guessable words, so a slow hash
 * would only slow every connect down.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101;

/** Salt length in bytes, as mosquitto_passwd writes it (16 base64 characters). */
const SALT_BYTES = 12;
const SALT_LABEL = 'smets-twin/mosquitto-salt/v1\0';

/**
 * One line of a mosquitto 2.0 password file, in the hashed form
 * mosquitto_passwd writes: `<user>:$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512 of the password, 64 bytes>`,
 * with the client id as user. The salt is derived from the run secret, so
 * one secret always gives the same file.
 *
 * @throws TypeError when the client id names no principal (it could also break the file's syntax).
 */
export function mosquittoPasswordLine(secret: Uint8Array, clientId: string): string {
  checkedId(clientId);
  const salt = deriveFromSecret(secret, SALT_LABEL, clientId).subarray(0, SALT_BYTES);
  const hash = pbkdf2Sync(passwordFor(secret, clientId), salt, MOSQUITTO_PBKDF2_ITERATIONS, 64, 'sha512');
  return `${clientId}:$7$${MOSQUITTO_PBKDF2_ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * A mosquitto password file for these principals: one line each, sorted by
 * client id, duplicates once. With `options.shards`, the shards that carry
 * any of them are users too.
 */
export function mosquittoPasswordFile(secret: Uint8Array, principals: readonly Principal[], options: BrokerPolicyOptions = {}): string {
  return lines(clientIdsOf(withCarriers(principals, options)).map((id) => mosquittoPasswordLine(secret, id)));
}

/**
 * A mosquitto ACL file for these principals: a `user <clientId>` block for
 * each, sorted by client id, with a `topic write <filter>` line for each
 * publish grant and a `topic read <filter>` line for each subscribe grant, in
 * the order `grantsOf` gives them. Anything not listed is denied: mosquitto
 * denies by default once an ACL file is in use.
 *
 * With `options.shards`, each shard carrying any of these hubs and devices
 * gets a block too, with its own grants and then, one line per topic, those
 * of every hub and device it carries (`shardGrantsOf`). mosquitto checks a
 * user's lines one by one, so a shard's check costs in proportion to the
 * premises it carries (see docs/benchmarks.md).
 */
export function mosquittoAclFile(principals: readonly Principal[], options: BrokerPolicyOptions = {}): string {
  const { shards } = options;
  const carried = carriedBy(principals, options);
  const blocks = clientIdsOf(withCarriers(principals, options)).map((id) => {
    const principal = checkedId(id);
    const grants =
      principal.kind === 'sim' && shards !== undefined ? shardGrantsOf(principal.name, carried.get(id) ?? [], shards) : grantsOf(principal);
    return [
      `user ${id}`,
      ...grants.publish.map((filter) => `topic write ${filter}`),
      ...grants.subscribe.map((filter) => `topic read ${filter}`),
    ].join('\n');
  });
  return ['# Generated from the bus policy (emulator/bus/acl.ts) for one run of the twin.', ...blocks].join('\n\n') + '\n';
}

/**
 * Writes `passwd` and `acl` for these principals into `dir` (readable by the
 * owner only) and returns the lines of mosquitto.conf that use them, for
 * `startMosquitto`'s `extraConfig`: `password_file`, `acl_file`,
 * `allow_anonymous false`, and `use_username_as_clientid true` — the last so
 * that, as on the embedded broker, a client's id is always the identity it
 * authenticated as, and no client can take over another's id or settle topic.
 *
 * @example
 * const extraConfig = await writeMosquittoAuth(configDir, secret, principals);
 * const broker = await startMosquitto({ configDir, extraConfig });
 */
export async function writeMosquittoAuth(
  dir: string,
  secret: Uint8Array,
  principals: readonly Principal[],
  options: BrokerPolicyOptions = {},
): Promise<string[]> {
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  await writeFile(passwordFile, mosquittoPasswordFile(secret, principals, options), { mode: 0o600 });
  await writeFile(aclFile, mosquittoAclFile(principals, options), { mode: 0o600 });
  // writeFile's mode applies only to a new file; an existing one keeps its own.
  await chmod(passwordFile, 0o600);
  await chmod(aclFile, 0o600);
  return [`password_file ${passwordFile}`, `acl_file ${aclFile}`, 'allow_anonymous false', 'use_username_as_clientid true'];
}

// The principals and the shards that carry any of them.
function withCarriers(principals: readonly Principal[], options: BrokerPolicyOptions): Principal[] {
  const all = [...principals];
  for (const p of principals) {
    const carrier = carrierOf(p, options.shards);
    if (carrier !== undefined) all.push(carrier);
  }
  return all;
}

// The hubs and devices each shard carries, by the shard's client id: one pass over a fleet, not one per shard.
function carriedBy(principals: readonly Principal[], options: BrokerPolicyOptions): Map<string, Principal[]> {
  const members = new Map<string, Principal[]>();
  for (const p of principals) {
    const carrier = carrierOf(p, options.shards);
    if (carrier === undefined) continue;
    const id = clientIdOf(carrier);
    const list = members.get(id);
    if (list === undefined) members.set(id, [p]);
    else list.push(p);
  }
  return members;
}

// Code-unit order, not localeCompare: the files must not depend on the machine's locale.
function clientIdsOf(principals: readonly Principal[]): string[] {
  return [...new Set(principals.map((p) => clientIdOf(p)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// A principal built by hand (not read with principalOf) could carry a name with a newline or
// a ':' and inject lines into the files; only ids that read back as a principal are written.
function checkedId(clientId: string): Principal {
  const principal = principalOf(clientId);
  if (!principal.ok || clientIdOf(principal.value) !== clientId) {
    throw new TypeError(`mosquitto-acl: ${JSON.stringify(clientId)} is not the client id of a principal`);
  }
  return principal.value;
}

function lines(items: readonly string[]): string {
  return items.map((line) => `${line}\n`).join('');
}

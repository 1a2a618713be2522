import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The bus schema, loaded once from the `.proto` files next to this module
 * (never from anything received) and resolved, so a broken schema fails at
 * start-up rather than on the first message.
 */

/** The `schema_version` this codec writes and the only one it reads. */
export const SCHEMA_VERSION = 1;

/** The protobuf package of every bus message. */
export const PACKAGE = 'gbsm.v1';

/** The schema files, one per message family. */
export const PROTO_FILES = ['envelope', 'han', 'wan', 'dsp', 'alerts', 'sim', 'scale'].map((f) => `gbsm/v1/${f}.proto`);

// Imports are written protoc-style (`import "gbsm/v1/han.proto"`) against this
// folder, so protoc or buf with `-I proto` read the same files.
const protoDir = fileURLToPath(new URL('.', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(protoDir, target));
  root.loadSync(PROTO_FILES.map((f) => join(protoDir, f)));
  root.resolveAll();
  return root;
}

/** Every type of the bus schema. */
export const root: protobuf.Root = loadRoot();

const type = (name: string): protobuf.Type => root.lookupType(`${PACKAGE}.${name}`);

/** `gbsm.v1.Envelope`: the only type encoded and decoded at the top level. */
export const EnvelopeType: protobuf.Type = type('Envelope');

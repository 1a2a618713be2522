// Worker threads start without the parent's TypeScript loader: register it, then run the shard.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');

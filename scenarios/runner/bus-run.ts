import { randomBytes } from 'node:crypto';
import { DAY_MS } from '../../core/time/duration.ts';
import { DspNode } from '../../dsp/gateway/dsp-node.ts';
import { UserNode } from '../../dsp/gateway/user-node.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../emulator/bus/embedded-broker.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { MultiplexedBusFactory, shardOfClient } from '../../emulator/bus/multiplexed-bus.ts';
import { shardsByHub } from '../../emulator/bus/acl.ts';
import { NetworkRunner, type SettlingBus } from '../../emulator/network/runner.ts';
import type { DuisUser } from '../../dsp/user/duis-user.ts';
import { solrWorldOf, stageSolr, type PlayedRun, type Script } from './play-solr.ts';
import { stageScenario, type PlayedScenario } from './play-scenario.ts';
import type { SolrWorld } from './solr-world.ts';
import type { Scenario } from '../schema/scenario.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { SolrPlan } from './solr-plan.ts';
import { HubGateway } from './hub-gateway.ts';
import type { Eui64 } from '../../core/ids.ts';

/**
 * Plays a plan with the DSP, the Users and the comms hubs' WAN ends on a
 * message bus — the memory bus, the embedded broker (with each identity's
 * credential and ACL) or a broker by URL — while each premises' HAN and
 * meters run in process. The runner moves virtual time only when an instant
 * has drained, so the same plan and seed give the same report on every bus.
 * // ARCHITECTURE "Time", "Bus"
 */

/** Which bus. */
export type BusChoice = { readonly kind: 'memory' } | { readonly kind: 'embedded' } | { readonly kind: 'url'; readonly url: string };

/** The bus of a run in words, for its report; undefined is a run in process. */
export function busWords(choice: BusChoice | undefined): string {
  if (choice === undefined) return 'in-process (no message bus)';
  if (choice.kind === 'memory') return 'memory';
  if (choice.kind === 'embedded') return 'embedded MQTT broker (aedes)';
  // Never print credentials a URL may carry.
  try {
    const u = new URL(choice.url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'MQTT broker';
  }
}

/** The DCC's EUI-64 as the originator of what the DSP publishes. */
const DCC = '90-B3-D5-1F-30-00-00-00' as Eui64;

/** Plays a library plan on a bus. */
export function playSolrOnBus(
  plan: SolrPlan,
  choice: BusChoice,
  onDay?: (day: number, days: number) => void,
  script?: Script,
): Promise<PlayedRun> {
  const world = solrWorldOf(plan);
  return onBus(world, plan, choice, () => stageSolr(plan, world, script), onDay);
}

/** Plays a scenario file on a bus. */
export function playScenarioOnBus(
  s: Scenario,
  plan: SolrPlan,
  choice: BusChoice,
  onDay?: (day: number, days: number) => void,
): Promise<PlayedScenario> {
  const world = solrWorldOf(plan);
  return onBus(world, plan, choice, () => stageScenario(s, plan, world), onDay);
}

/** Wires the world to the chosen bus, stages the run, and drives its clock day by day through the runner. */
async function onBus<T>(
  world: SolrWorld,
  plan: SolrPlan,
  choice: BusChoice,
  stage: () => { readonly end: Instant; finish(): T },
  onDay?: (day: number, days: number) => void,
): Promise<T> {
  const clock = world.clock;
  let broker: EmbeddedBroker | null = null;
  let factory: MqttBusFactory | null = null;
  let bus: SettlingBus;
  // The comms hubs ride one connection per shard of 100 (docs/bus.md "Connection model"): a broker round trip per
  // connection is what makes an instant quiet, so few connections keep virtual time moving.
  const shards = shardsByHub(Math.max(1, Math.ceil(new Set(world.meters.map((m) => m.hub)).size / 100)));
  if (choice.kind === 'memory') bus = new MemoryBus(clock);
  else if (choice.kind === 'embedded') {
    // A fresh secret per run: every identity's password is derived from it, and no one else has it.
    const secret = new Uint8Array(randomBytes(32));
    broker = await startEmbeddedBroker(brokerHooks(secret, { shards }));
    factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret), skipIdleSettle: true });
    bus = new MultiplexedBusFactory(factory, { shardOf: shardOfClient(shards) });
  } else {
    factory = new MqttBusFactory({ url: choice.url, skipIdleSettle: true });
    bus = new MultiplexedBusFactory(factory, { shardOf: shardOfClient(shards) });
  }
  try {
    const runner = new NetworkRunner(clock, bus);
    const dspNode = new DspNode(clock, world.dsp, {
      id: DCC,
      // A DSP outage (or the broker down) is the world's: the node judges no deadline meanwhile.
      paused: () => world.dspDown,
      onOutput: (o) => {
        if (o.kind === 'command') world.commandSent(o.requestId, o.command);
      },
    });
    await dspNode.connect(bus);
    runner.attach(dspNode);
    const users = new Map<string, UserNode>();
    for (const u of [world.failed, world.srp, world.solr] as DuisUser[]) {
      if (users.has(u.id)) continue;
      const node = new UserNode(clock, u, {
        onResponse: (r) => world.responseArrived(u.id, r),
        onAlert: (a) => world.alertArrived(u.id, a),
      });
      await node.connect(bus);
      runner.attach(node);
      users.set(u.id, node);
    }
    const gateway = new HubGateway(clock, (device, command) => world.commandArrived(device, command));
    await gateway.connect(bus, new Set(world.meters.map((m) => m.hub)));
    runner.attach(gateway);
    world.attachBus({
      publishOutputs: (outputs) => dspNode.publishOutputs(outputs),
      send: (user, request) => users.get(user)?.send(request),
      up: (hub, body) => gateway.up(hub, body),
    });
    const staged = stage();
    const days = plan.fleet.days;
    for (let day = 1; day <= days; day++) {
      await runner.runUntil(Math.min(staged.end, plan.fleet.start + day * DAY_MS));
      onDay?.(day, days);
    }
    return staged.finish();
  } finally {
    await factory?.closeAll();
    await broker?.close();
  }
}

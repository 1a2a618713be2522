import { createActor, type ActorScope, type AnyStateMachine, type EventObject, type ExecutableActionObject, type Snapshot } from 'xstate';

/** An effect a machine named: its action type and parameters. */
export interface Effect {
  readonly type: string;
  readonly params: unknown;
}

/** The two pure functions of an XState machine that stepping needs. */
interface Steppable<S extends Snapshot<unknown>, E extends EventObject, I> {
  getInitialSnapshot(scope: ActorScope<S, E>, input: I): S;
  transition(snapshot: S, event: E, scope: ActorScope<S, E>): S;
}

/**
 * Steps many devices through one machine definition without an actor per
 * device: each device keeps only its snapshot, and `step` is the machine's
 * pure transition with one shared, inert actor scope. Named effects are
 * collected and handed back instead of being run, so the caller decides what
 * an alert or a response does. A fleet of 100 000 meters then costs a
 * snapshot each, not an actor each. // ARCHITECTURE "Measured costs"
 */
export class MachineStepper<S extends Snapshot<unknown>, E extends EventObject, I> {
  private readonly machine: Steppable<S, E, I>;
  private readonly scope: ActorScope<S, E>;
  private effects: Effect[] = [];
  /** Events stepped so far, for benchmarks. */
  steps = 0;

  constructor(machine: Steppable<S, E, I> & AnyStateMachine) {
    this.machine = machine;
    // A throw-away actor supplies the `self` and `system` the transition functions expect.
    const self = createActor(machine as AnyStateMachine);
    const collect = (a: ExecutableActionObject): void => {
      if (a.exec !== undefined) this.effects.push({ type: a.type, params: a.params });
    };
    this.scope = {
      self: self as unknown as ActorScope<S, E>['self'],
      id: '',
      sessionId: '',
      logger: () => {},
      defer: () => {},
      emit: () => {},
      stopChild: () => {},
      system: self.system,
      actionExecutor: collect,
    };
  }

  /** The snapshot a new device starts in, and the effects of starting. */
  start(input: I): { snapshot: S; effects: readonly Effect[] } {
    this.effects = [];
    const snapshot = this.machine.getInitialSnapshot(this.scope, input);
    return { snapshot, effects: this.effects };
  }

  /** One event: the next snapshot and the effects it named. */
  step(snapshot: S, event: E): { snapshot: S; effects: readonly Effect[] } {
    this.effects = [];
    this.steps++;
    const next = this.machine.transition(snapshot, event, this.scope);
    return { snapshot: next, effects: this.effects };
  }
}

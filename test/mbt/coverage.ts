import type { AnyStateMachine, InspectionEvent } from 'xstate';

interface StateNodeLike {
  id: string;
  states: Record<string, StateNodeLike>;
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}

interface TransitionLike {
  source: StateNodeLike;
  eventType: string;
  target?: readonly StateNodeLike[];
  guard?: unknown;
}

function transitionKey(transition: TransitionLike, index: number): string {
  const targets = (transition.target ?? []).map((target) => target.id).join(',');
  return `${transition.source.id} --${transition.eventType || 'always'}#${index}--> ${targets}`;
}

/** Every state node id and every transition of a machine (guarded branches counted separately). */
export function inventory(machine: AnyStateMachine): { states: Set<string>; transitions: Set<string> } {
  const states = new Set<string>();
  const transitions = new Set<string>();
  const visit = (node: StateNodeLike) => {
    states.add(node.id);
    for (const list of [...node.transitions.values(), node.always ?? []]) {
      list.forEach((transition, i) => {
        transitions.add(transitionKey(transition, i));
      });
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as StateNodeLike);
  return { states, transitions };
}

/** Records which states and transitions of which machines the inspected actors went through. */
export class CoverageRecorder {
  readonly states = new Map<string, Set<string>>();
  readonly transitions = new Map<string, Set<string>>();

  readonly inspect = (event: InspectionEvent): void => {
    const machineId = (event.actorRef as unknown as { logic?: { id?: string } }).logic?.id;
    if (!machineId) return;
    if (event.type === '@xstate.snapshot') {
      const nodes = (event.snapshot as unknown as { _nodes?: StateNodeLike[] })._nodes ?? [];
      const seen = this.states.get(machineId) ?? new Set();
      for (const node of nodes) seen.add(node.id);
      this.states.set(machineId, seen);
    } else if (event.type === '@xstate.microstep') {
      const taken = (event as unknown as { _transitions?: TransitionLike[] })._transitions ?? [];
      const seen = this.transitions.get(machineId) ?? new Set();
      // Transient states (left at once by an eventless transition) show up only here.
      const states = this.states.get(machineId) ?? new Set();
      this.states.set(machineId, states);
      for (const transition of taken) {
        states.add(transition.source.id);
        for (const target of transition.target ?? []) states.add(target.id);
        const list =
          transition.eventType === ''
            ? (transition.source.always ?? [])
            : (transition.source.transitions.get(transition.eventType) ?? []);
        seen.add(transitionKey(transition, Math.max(0, list.indexOf(transition))));
      }
      this.transitions.set(machineId, seen);
    }
  };

  report(machines: readonly AnyStateMachine[]): {
    machine: string;
    states: string;
    transitions: string;
    missed: string[];
    missedTransitions: string[];
  }[] {
    return machines.map((machine) => {
      const all = inventory(machine);
      const states = [...all.states].filter((id) => this.states.get(machine.id)?.has(id));
      const transitions = [...all.transitions].filter((key) => this.transitions.get(machine.id)?.has(key));
      return {
        machine: machine.id,
        states: `${states.length}/${all.states.size}`,
        transitions: `${transitions.length}/${all.transitions.size}`,
        missed: [...all.states].filter((id) => !this.states.get(machine.id)?.has(id)),
        missedTransitions: [...all.transitions].filter((key) => !this.transitions.get(machine.id)?.has(key)),
      };
    });
  }
}

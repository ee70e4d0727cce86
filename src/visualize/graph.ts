import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * A renderer-neutral picture of one machine: the state tree plus every transition, with guards,
 * actions and delays already reduced to display names. Mermaid and DOT are both drawn from this,
 * so the two pictures cannot disagree.
 */
export interface Chart {
  /** The machine's id (also the root state's id). */
  id: string;
  description?: string;
  root: ChartState;
  /** Document order: states pre-order, and within a state the order xstate tries them in. */
  transitions: ChartTransition[];
}

export type ChartStateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartState {
  /** xstate's id, e.g. `peer.open.idle`: unique within the machine. */
  id: string;
  key: string;
  kind: ChartStateKind;
  history?: 'shallow' | 'deep';
  /** Ids of the children entered by default (compound states only). */
  initial: string[];
  children: ChartState[];
  entry: string[];
  exit: string[];
  invokes: ChartInvoke[];
  tags: string[];
  description?: string;
  /** Transitions without a target: handled here without leaving the state (UML internal transitions). */
  internal: ChartTransition[];
}

export interface ChartInvoke {
  id: string;
  src: string;
}

export type ChartTrigger =
  | { kind: 'event'; event: string }
  | { kind: 'after'; delay: string | number; delayMs?: number }
  | { kind: 'always' };

export interface ChartTransition {
  source: string;
  /** Empty for a targetless (internal) transition. */
  targets: string[];
  trigger: ChartTrigger;
  guard?: string;
  actions: string[];
  reenter: boolean;
}

/** Walks `machine.root`: unlike `toJSON()`, the live state nodes still carry `always` transitions. */
export function chartOf(machine: AnyStateMachine): Chart {
  const transitions: ChartTransition[] = [];
  const delays = (machine.implementations.delays ?? {}) as Record<string, unknown>;

  const visit = (node: AnyStateNode): ChartState => {
    const own = transitionsOf(node, delays);
    // Pushed before the children are visited, so the list reads top-down like the source.
    transitions.push(...own.filter((transition) => transition.targets.length > 0));
    const state: ChartState = {
      id: node.id,
      key: node.key,
      kind: node.type,
      initial: node.type === 'compound' ? (node.initial?.target ?? []).map((target) => target.id) : [],
      children: Object.values(node.states as Record<string, AnyStateNode>).map(visit),
      // The raw config, not node.entry: xstate appends its own raise/cancel actions for `after`.
      entry: toList(node.config.entry).map(actionName),
      exit: toList(node.config.exit).map(actionName),
      invokes: node.invoke.map((invoke) => ({ id: invoke.id, src: String(invoke.src) })),
      tags: [...node.tags],
      internal: own.filter((transition) => transition.targets.length === 0),
    };
    if (node.history) state.history = node.history;
    if (node.description !== undefined) state.description = node.description;
    return state;
  };

  const root = visit(machine.root);
  const chart: Chart = { id: machine.id, root, transitions };
  if (machine.root.description !== undefined) chart.description = machine.root.description;
  return chart;
}

function transitionsOf(node: AnyStateNode, delays: Record<string, unknown>): ChartTransition[] {
  const result: ChartTransition[] = [];
  for (const candidates of node.transitions.values()) {
    for (const transition of candidates) {
      const delay = (transition as { delay?: unknown }).delay;
      const trigger: ChartTrigger =
        typeof delay === 'string' || typeof delay === 'number'
          ? delayTrigger(delay, delays)
          : { kind: 'event', event: transition.eventType };
      result.push(toChartTransition(node, transition, trigger));
    }
  }
  for (const transition of node.always ?? [])
    result.push(toChartTransition(node, transition, { kind: 'always' }));
  return result;
}

function delayTrigger(delay: string | number, delays: Record<string, unknown>): ChartTrigger {
  const value = typeof delay === 'string' ? delays[delay] : undefined;
  // A named delay shows its value only when setup() gives a constant; functions of context vary per actor.
  return typeof value === 'number' ? { kind: 'after', delay, delayMs: value } : { kind: 'after', delay };
}

function toChartTransition(
  node: AnyStateNode,
  transition: {
    target: ReadonlyArray<AnyStateNode> | undefined;
    guard?: unknown;
    actions: readonly unknown[];
    reenter: boolean;
  },
  trigger: ChartTrigger,
): ChartTransition {
  const chartTransition: ChartTransition = {
    source: node.id,
    targets: (transition.target ?? []).map((target) => target.id),
    trigger,
    actions: transition.actions.map(actionName),
    reenter: transition.reenter,
  };
  if (transition.guard !== undefined) chartTransition.guard = guardName(transition.guard);
  return chartTransition;
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `setReason(handshake-timeout, …)`: the name plus primitive param values, the reason codes. */
export function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    // Built-in creators (assign, sendTo, raise…) carry their type; a bare closure has at best a name.
    const typed = (action as { type?: unknown }).type;
    if (typeof typed === 'string') return typed;
    return action.name || 'inline';
  }
  if (typeof action === 'object' && action !== null) {
    const { type, params } = action as { type?: unknown; params?: unknown };
    const name = typeof type === 'string' ? type : 'inline';
    return params === undefined ? name : `${name}(${paramsText(params)})`;
  }
  return 'inline';
}

function paramsText(params: unknown): string {
  if (typeof params === 'function') return '…';
  if (typeof params !== 'object' || params === null) return primitiveText(params);
  return Object.values(params)
    .map((value) => (typeof value === 'object' || typeof value === 'function' ? '…' : primitiveText(value)))
    .join(', ');
}

function primitiveText(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

/** Guard names, with xstate's combinators spelled out: `and(a, b)`, `or(a, b)`, `!a`, `in(state)`. */
export function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const { guards, stateValue } = guard as { guards?: unknown[]; stateValue?: unknown };
    if (Array.isArray(guards)) {
      const parts = guards.map(guardName);
      if (guard.name === 'not') return `!${parts[0] ?? ''}`;
      if (guard.name === 'and' || guard.name === 'or') return `${guard.name}(${parts.join(', ')})`;
    }
    if (stateValue !== undefined) {
      return `in(${typeof stateValue === 'string' ? stateValue : JSON.stringify(stateValue)})`;
    }
    return guard.name || 'inline';
  }
  if (typeof guard === 'object' && guard !== null) {
    const { type, params } = guard as { type?: unknown; params?: unknown };
    const name = typeof type === 'string' ? type : 'inline';
    return params === undefined ? name : `${name}(${paramsText(params)})`;
  }
  return 'inline';
}

/** `event`, `after(name)`, `after(500ms)`, `after(name = 500ms)` or `always`. */
export function triggerText(trigger: ChartTrigger): string {
  switch (trigger.kind) {
    case 'event':
      return trigger.event;
    case 'always':
      return 'always';
    case 'after':
      if (typeof trigger.delay === 'number') return `after(${trigger.delay}ms)`;
      return trigger.delayMs === undefined
        ? `after(${trigger.delay})`
        : `after(${trigger.delay} = ${trigger.delayMs}ms)`;
  }
}

/** `event [guard] / a, b`: the one label format both renderers use. */
export function transitionLabel(transition: ChartTransition): string {
  const parts = [triggerText(transition.trigger)];
  if (transition.guard !== undefined) parts.push(`[${transition.guard}]`);
  if (transition.actions.length > 0) parts.push(`/ ${transition.actions.join(', ')}`);
  return parts.join(' ');
}

/** Lines listed inside a state: its invokes, entry/exit actions, tags and internal transitions. */
export function stateDetails(state: ChartState): string[] {
  const lines: string[] = [];
  for (const invoke of state.invokes) {
    lines.push(invoke.id === invoke.src ? `invoke ${invoke.id}` : `invoke ${invoke.id} (${invoke.src})`);
  }
  if (state.entry.length > 0) lines.push(`entry / ${state.entry.join(', ')}`);
  if (state.exit.length > 0) lines.push(`exit / ${state.exit.join(', ')}`);
  if (state.tags.length > 0) lines.push(`tags ${state.tags.join(', ')}`);
  for (const transition of state.internal) lines.push(transitionLabel(transition));
  return lines;
}

/** Pre-order list of every state, root first. */
export function allStates(root: ChartState): ChartState[] {
  return [root, ...root.children.flatMap(allStates)];
}

/** Each state's parent id (the root has none): what renderers need to tell "inside" from "outside". */
export function parentsOf(root: ChartState): Map<string, string> {
  const parents = new Map<string, string>();
  for (const state of allStates(root)) for (const child of state.children) parents.set(child.id, state.id);
  return parents;
}

/** Whether `id` is `ancestor` itself or lies inside it. */
export function isWithin(parents: ReadonlyMap<string, string>, id: string, ancestor: string): boolean {
  for (let current: string | undefined = id; current !== undefined; current = parents.get(current)) {
    if (current === ancestor) return true;
  }
  return false;
}

import {
  allStates,
  type Chart,
  type ChartState,
  type ChartTransition,
  isWithin,
  parentsOf,
  stateDetails,
  transitionLabel,
} from './graph.js';

// Graphviz WASM has no font files, only built-in metrics; Helvetica has them (SVG adds sans-serif).
const FONT = 'Helvetica';

/**
 * A Graphviz DOT graph of the chart. Compound and parallel states (the root included) are
 * clusters; each gets an invisible anchor node inside it so that edges into or out of the state can
 * end at its border (`lhead`/`ltail`), and compound ones a dot for the initial pseudo-state.
 * Nodes are declared inside their clusters first and every edge is written after them, at the top
 * level, so that an edge never moves a node into the wrong cluster.
 */
export function toDot(chart: Chart, comment?: string): string {
  const graph: Graph = {
    parents: parentsOf(chart.root),
    states: new Map(allStates(chart.root).map((state) => [state.id, state])),
  };
  const lines: string[] = [
    `digraph ${quote(chart.id)} {`,
    `  graph [compound=true, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.45, fontname=${quote(FONT)}, fontsize=11${
      comment === undefined ? '' : `, comment=${quote(comment)}`
    }];`,
    `  node [shape=box, style=rounded, fontname=${quote(FONT)}, fontsize=10, margin="0.12,0.05"];`,
    `  edge [fontname=${quote(FONT)}, fontsize=9, arrowsize=0.7];`,
  ];

  const declare = (state: ChartState, indent: string): void => {
    const details = stateDetails(state);
    const tooltip = state.description === undefined ? '' : `, tooltip=${quote(state.description)}`;
    if (state.children.length === 0) {
      const shape =
        state.kind === 'history'
          ? `shape=circle, style=solid, label=${quote(state.history === 'deep' ? 'H*' : 'H')}, xlabel=${quote(state.key)}`
          : `label=${htmlLabel(state.key, details)}${state.kind === 'final' ? ', peripheries=2' : ''}`;
      lines.push(`${indent}${nodeName(state.id)} [${shape}${tooltip}];`);
      return;
    }
    lines.push(`${indent}subgraph ${clusterName(state.id)} {`);
    const inner = `${indent}  `;
    const title = state.kind === 'parallel' ? `${state.key} (parallel)` : state.key;
    // Regions of a parallel state are dashed, as UML separates them with dashed lines.
    const parent = graph.states.get(graph.parents.get(state.id) ?? '');
    const style = parent?.kind === 'parallel' ? 'dashed,rounded' : 'rounded';
    lines.push(
      `${inner}graph [label=${htmlLabel(title, details)}, labeljust=l, style=${quote(style)}${tooltip}];`,
    );
    // Separate from the initial dot, so that edges leaving the state do not seem to start at it, but
    // on the same rank: an anchor ranked low in the cluster drags every edge out sideways.
    lines.push(`${inner}${anchorName(state.id)} [shape=point, style=invis, width=0.01, label=""];`);
    if (state.initial.length > 0) {
      lines.push(`${inner}${initialName(state.id)} [shape=point, width=0.1, label=""];`);
      lines.push(`${inner}{ rank=same; ${initialName(state.id)}; ${anchorName(state.id)}; }`);
    }
    for (const child of state.children) declare(child, inner);
    lines.push(`${indent}}`);
  };

  declare(chart.root, '  ');
  for (const state of graph.states.values()) {
    for (const initial of state.initial) {
      const into = isCluster(initial, graph) ? ` [lhead=${clusterName(initial)}]` : '';
      lines.push(`  ${initialName(state.id)} -> ${endpoint(initial, graph)}${into};`);
    }
  }
  for (const [source, target, transitions] of edgeGroups(chart.transitions)) {
    lines.push(`  ${edge(source, target, transitions, graph)}`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

interface Graph {
  parents: ReadonlyMap<string, string>;
  states: ReadonlyMap<string, ChartState>;
}

/**
 * Transitions between the same two states, in document order. They share one edge with a line per
 * transition: six parallel edges from `listening` to `disconnecting` would each need their own room.
 */
function edgeGroups(transitions: readonly ChartTransition[]): Array<[string, string, ChartTransition[]]> {
  const groups = new Map<string, [string, string, ChartTransition[]]>();
  for (const transition of transitions) {
    for (const target of transition.targets) {
      const key = JSON.stringify([transition.source, target]);
      const group = groups.get(key);
      if (group) group[2].push(transition);
      else groups.set(key, [transition.source, target, [transition]]);
    }
  }
  return [...groups.values()];
}

function edge(source: string, target: string, transitions: readonly ChartTransition[], graph: Graph): string {
  const attributes = [`label=${edgeLabel(transitions)}`];
  // Clip at a cluster's border only when the other end is outside it; Graphviz rejects the rest.
  if (isCluster(source, graph) && !isWithin(graph.parents, target, source)) {
    attributes.push(`ltail=${clusterName(source)}`);
  }
  if (isCluster(target, graph) && !isWithin(graph.parents, source, target)) {
    attributes.push(`lhead=${clusterName(target)}`);
  }
  return `${endpoint(source, graph)} -> ${endpoint(target, graph)} [${attributes.join(', ')}];`;
}

/** One left-aligned line per transition (`\l` ends a left-justified line in a DOT label). */
function edgeLabel(transitions: readonly ChartTransition[]): string {
  return `"${transitions.map((transition) => `${escapeDot(transitionLabel(transition))}\\l`).join('')}"`;
}

function isCluster(id: string, graph: Graph): boolean {
  return (graph.states.get(id)?.children.length ?? 0) > 0;
}

/** An edge to or from a cluster is drawn to or from its anchor. */
function endpoint(id: string, graph: Graph): string {
  return isCluster(id, graph) ? anchorName(id) : nodeName(id);
}

function nodeName(id: string): string {
  return quote(`state:${id}`);
}

function initialName(id: string): string {
  return quote(`initial:${id}`);
}

function anchorName(id: string): string {
  return quote(`anchor:${id}`);
}

function clusterName(id: string): string {
  return quote(`cluster:${id}`);
}

function quote(value: string): string {
  return `"${escapeDot(value)}"`;
}

function escapeDot(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

/** Bold state name, then a rule and one left-aligned line per detail. */
function htmlLabel(title: string, details: readonly string[]): string {
  const rows = [`<tr><td><b>${escapeHtml(title)}</b></td></tr>`];
  if (details.length > 0) {
    rows.push('<hr/>');
    for (const detail of details) rows.push(`<tr><td align="left">${escapeHtml(detail)}</td></tr>`);
  }
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">${rows.join('')}</table>>`;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The parts of a V8 `.cpuprofile` this summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The frames with the most self time, as printable lines: share of all samples, then the
 * function and where it lives (package name or path tail), so a profile can be read without
 * DevTools. Idle and GC are listed like any other frame.
 */
export function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += delta;
    const key = frameName(node.callFrame);
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  });
  const busy = total - (selfMicros.get('(idle)') ?? 0);
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)} % of busy  ${name}`);
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const modules = frame.url.lastIndexOf('node_modules/');
  const where =
    modules >= 0 ? frame.url.slice(modules + 'node_modules/'.length) : frame.url.split('/').slice(-3).join('/');
  return `${name}  ${where}:${frame.lineNumber + 1}`;
}

/**
 * Inclusive (total) time of the frames whose location contains `where` (for instance the
 * library's `dist/`), as printable lines: what a function costs with everything it calls.
 */
export function topTotalTime(profile: CpuProfile, where: string, count: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totalMicros = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    busy += delta;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame?.url.includes(where)) continue;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      totalMicros.set(key, (totalMicros.get(key) ?? 0) + delta);
    }
  });
  return [...totalMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)} % of busy (total)  ${name}`);
}

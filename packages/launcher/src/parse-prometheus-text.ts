/** What a Prometheus text exposition holds: its samples, and each family's declared type. */
export interface PrometheusExposition {
  samples: { name: string; labels: Record<string, string> }[];
  /** `# TYPE` lines: family name -> counter, gauge, histogram, summary, untyped. */
  types: Map<string, string>;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+\S+(?:\s+\S+)?$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/**
 * Parses the text format (version 0.0.4) that `/metrics` serves. Throws on a line it cannot
 * read, so a malformed exposition fails the test that reads it.
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const exposition: PrometheusExposition = { samples: [], types: new Map() };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) exposition.types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = sample[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const label = LABEL.exec(body);
      if (!label) throw new Error(`cannot read the labels of: ${line}`);
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    exposition.samples.push({ name: sample[1]!, labels });
  }
  return exposition;
}

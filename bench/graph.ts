// The graph rows of `npm run bench`: from a DAG's model to the SVG Mermaid draws in Chromium.
import { analyzeDagFile } from '../src/core/dag/analyze';
import { dagMermaid, graphInputFromModel } from '../src/core/graph/mermaid';
import { MermaidPage } from '../src/node/mermaidSvg';
import { generateDagFile } from './generate';

/** A row of bench/results.json (the shape of `Row` in run.ts). */
interface GraphRow {
  name: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function timeAsync(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/**
 * For generated DAGs of 50, 200 and 500 tasks: the graph text built from the model and drawn to SVG
 * by Mermaid (layout and all) in one Chromium page, against Mermaid's own parser reading the same
 * text in the same page, the least any drawing of that text costs. Both sides include the round
 * trip to the page, so the ratio is what laying out and drawing adds to reading the diagram.
 */
export async function graphRows(): Promise<GraphRow[]> {
  const page = await MermaidPage.open();
  try {
    const rows: GraphRow[] = [];
    for (const taskCount of [50, 200, 500]) {
      const [dag] = analyzeDagFile(generateDagFile(taskCount)).dags;
      if (dag?.tasks.length !== taskCount) throw new Error(`the generated DAG did not analyse to ${taskCount} tasks`);
      const { text } = dagMermaid(graphInputFromModel(dag));
      let svg = '';
      const ours = await timeAsync(async () => (svg = await page.render(dagMermaid(graphInputFromModel(dag)).text)));
      const drawn = svg.match(/<g class="node /g)?.length ?? 0;
      if (drawn !== taskCount) throw new Error(`Mermaid drew ${drawn} of the ${taskCount} tasks`);
      const peer = await timeAsync(async () => {
        if (!(await page.parse(text))) throw new Error('Mermaid did not parse the graph');
      });
      rows.push({ name: `graph of a ${taskCount}-task DAG: model to SVG drawn by Mermaid in Chromium`, ours_ms: ours, peer: 'mermaid.parse of the same text, same page', peer_ms: peer, ratio: ours / peer });
    }
    return rows;
  } finally {
    await page.close();
  }
}

// A DAG's graph drawn as SVG in headless Chromium driven by playwright-core, as the graph webview
// draws it: by the real Mermaid, or past SIMPLE_LAYOUT_THRESHOLD nodes by the simple layout with
// labels measured in Chromium, so that an SVG for a README or a CI artefact looks the same.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { graphDrawing, mermaidText, type GraphInput, type GraphOptions } from '../core/graph/mermaid';
import { DEFAULT_FONT_FAMILY, drawnTexts, graphLayoutFor, LABEL_FONT_SIZE, simpleLayoutSvg, type GraphLayout } from '../core/graph/simpleLayout';

/** Thrown when no Chromium can be found; the CLI reports it and exits 2. */
export class ChromiumMissingError extends Error {}

/** Debian's Chromium (the one the repository's browser tests drive), or the one $CHROMIUM names. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(path) ? path : undefined;
}

/**
 * Mermaid's settings for drawing here. Labels are SVG text rather than HTML in a foreignObject, so
 * that the SVG also displays outside browsers (Mermaid 11 reads `htmlLabels` at the top level, older
 * releases under `flowchart`), and are not wrapped, so that a task id stays on one line. The edge
 * and size limits are raised because Mermaid's defaults (500 edges, 50,000 characters) refuse the
 * large DAGs the graph must draw.
 */
const MERMAID_CONFIG = {
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'default',
  maxEdges: 100_000,
  maxTextSize: 10_000_000,
  htmlLabels: false,
  flowchart: { htmlLabels: false, wrappingWidth: 1000 },
};

/** A DAG's graph as SVG, and how it was drawn. */
export interface DrawnGraph {
  readonly svg: string;
  readonly layout: GraphLayout;
  /** True when at least one TaskGroup was drawn as a single node. */
  readonly collapsed: boolean;
}

/** One Chromium page with Mermaid loaded, for any number of renders. */
export class MermaidPage {
  private renders = 0;

  private constructor(private readonly browser: Browser, private readonly page: Page) {}

  static async open(): Promise<MermaidPage> {
    const executablePath = chromiumPath();
    if (!executablePath) throw new ChromiumMissingError('rendering SVG needs Chromium: install Debian\'s chromium package (/usr/bin/chromium) or set CHROMIUM to a Chromium executable');
    // Loaded here, not at the top, so that the CLI's other commands never load playwright-core.
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
    });
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
      await page.evaluate((config) => (window as unknown as { mermaid: { initialize(c: unknown): void } }).mermaid.initialize(config), MERMAID_CONFIG);
      return new MermaidPage(browser, page);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** The SVG Mermaid draws for `text`; rejects with Mermaid's message when the text does not parse. */
  render(text: string): Promise<string> {
    const id = `preflight-graph-${this.renders++}`;
    return this.page.evaluate(async ([text, id]) => (await (window as unknown as MermaidWindow).mermaid.render(id, text)).svg, [text, id] as const);
  }

  /** A DAG's graph drawn as the DAG panel draws it: by Mermaid, or by the simple layout when it is large. */
  async draw(input: GraphInput, options: GraphOptions = {}): Promise<DrawnGraph> {
    const drawing = graphDrawing(input, options);
    const layout = graphLayoutFor(drawing);
    if (layout === 'mermaid') return { svg: await this.render(mermaidText(drawing, options.direction)), layout, collapsed: drawing.collapsed };
    // Every label is measured in one round trip, in the font the SVG names.
    const texts = drawnTexts(drawing);
    const widths = await this.page.evaluate(([texts, font]) => {
      const context = document.createElement('canvas').getContext('2d')!;
      context.font = font;
      return texts.map((text) => context.measureText(text).width);
    }, [texts, `${LABEL_FONT_SIZE}px ${DEFAULT_FONT_FAMILY}`] as const);
    const widthOf = new Map(texts.map((text, index) => [text, widths[index]]));
    const svg = simpleLayoutSvg(drawing, { id: `preflight-graph-${this.renders++}`, direction: options.direction, measure: (text) => widthOf.get(text) ?? 0, fontFamily: DEFAULT_FONT_FAMILY });
    return { svg, layout, collapsed: drawing.collapsed };
  }

  /** Whether Mermaid's parser accepts `text`, without laying it out or drawing it. */
  parse(text: string): Promise<boolean> {
    return this.page.evaluate(async (text) => Boolean(await (window as unknown as MermaidWindow).mermaid.parse(text)), text);
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

interface MermaidWindow {
  readonly mermaid: {
    render(id: string, text: string): Promise<{ svg: string }>;
    parse(text: string): Promise<unknown>;
  };
}

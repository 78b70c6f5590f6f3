// The DAG panel's HTML: the page's skeleton, its styles and the Content Security Policy. Free of the
// VS Code API, so that the browser test serves the very page, CSP included, that the panel shows.
import { STATE_COLOURS, type GraphState } from '../core/graph/mermaid';

export interface PageResources {
  /** A fresh random value per page: the only key to its scripts and styles. */
  readonly nonce: string;
  /** The bundle's URI as the webview may load it (`asWebviewUri`). */
  readonly scriptUri: string;
}

/** A nonce as the CSP wants it: 128 random bits, base64-free so it needs no escaping anywhere. */
export function newNonce(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The policy: nothing by default; scripts and style elements only with the nonce. Mermaid writes a
 * `<style>` element and `style` attributes into the SVG it returns; the page moves the first into a
 * style element with the nonce and re-applies the second through the CSSOM, which CSP does not
 * govern, so neither 'unsafe-inline' nor 'unsafe-eval' is needed.
 */
export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
}

/** Airflow's state colours for the graph's nodes, the grid's cells and the legend's swatches. */
function stateStyles(): string {
  return (Object.entries(STATE_COLOURS) as [GraphState, (typeof STATE_COLOURS)[GraphState]][]).map(([state, { fill, stroke, text }]) => [
    `#canvas svg .node.state-${state} > :is(rect, polygon, path, circle, ellipse) { fill: ${fill}; stroke: ${stroke}; }`,
    `#canvas svg .node.state-${state} :is(text, tspan) { fill: ${text}; }`,
    `.state-${state}.cell, .state-${state}.swatch { background: ${fill}; border-color: ${stroke}; color: ${text}; }`,
  ].join('\n')).join('\n');
}

export function dagPanelHtml({ nonce, scriptUri }: PageResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); padding: 0 1em; margin: 0; }
  button, select { font: inherit; color: var(--vscode-button-secondaryForeground, var(--vscode-foreground)); background: var(--vscode-button-secondaryBackground, transparent);
    border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent)); border-radius: 2px; padding: .2em .6em; cursor: pointer; }
  button.primary { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
  button:disabled { opacity: .5; cursor: default; }
  button:focus-visible, select:focus-visible, .cell:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
  select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border-color: var(--vscode-dropdown-border, transparent); }
  #toolbar { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; padding: .6em 0; position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); }
  #title { font-size: 1.1em; margin: 0; margin-right: auto; }
  .tools { display: flex; gap: .3em; align-items: center; }
  #notice { margin: 0 0 .4em; color: var(--vscode-descriptionForeground); }
  #notice:empty { display: none; }
  #viewport { position: relative; height: 50vh; min-height: 12em; overflow: hidden; resize: vertical; cursor: grab;
    border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); background: var(--vscode-editor-background); }
  #viewport.panning { cursor: grabbing; }
  #canvas { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
  /* Mermaid measures labels while its own styles are still blocked, so the font is set for both its scratch SVG and the drawn one. */
  svg[id^="graph-"], #canvas svg { font-family: var(--vscode-font-family); font-size: 14px; }
  #canvas svg { display: block; max-width: none !important; }
  #canvas svg :is(.label, .cluster-label) :is(text, tspan) { fill: var(--vscode-foreground); }
  #canvas svg .node > :is(rect, polygon, path, circle, ellipse) { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, var(--vscode-foreground))); }
  #canvas svg .node { cursor: pointer; }
  #canvas svg .node.selected > :is(rect, polygon, path, circle, ellipse) { stroke: var(--vscode-focusBorder); stroke-width: 3px; }
  #canvas svg .cluster rect { fill: var(--vscode-sideBar-background, transparent); stroke: var(--vscode-panel-border, var(--vscode-foreground)); }
  #canvas svg .flowchart-link { stroke: var(--vscode-foreground); }
  #canvas svg .marker, #canvas svg .arrowMarkerPath { fill: var(--vscode-foreground); stroke: var(--vscode-foreground); }
  #legend { display: flex; flex-wrap: wrap; gap: .3em 1em; list-style: none; padding: 0; margin: .5em 0; font-size: .9em; }
  #legend li { display: flex; align-items: center; gap: .3em; }
  .swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid; border-radius: 2px; }
  #below { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; padding-bottom: 1em; }
  #grid { overflow-x: auto; max-width: 100%; }
  #grid table { border-collapse: separate; border-spacing: 2px; }
  #grid th { font-weight: normal; text-align: left; white-space: nowrap; padding-right: .5em; }
  #grid thead th { font-size: .8em; color: var(--vscode-descriptionForeground); writing-mode: vertical-rl; transform: rotate(180deg); text-align: right; }
  #grid thead th.selected { color: var(--vscode-foreground); font-weight: 600; }
  .cell { width: 1.2em; height: 1.2em; padding: 0; border: 1px solid var(--vscode-widget-border, var(--vscode-foreground)); border-radius: 2px; background: transparent; }
  .cell.selected { outline: 2px solid var(--vscode-focusBorder); outline-offset: 1px; }
  #details { flex: 1 1 20em; min-width: 16em; border-left: 1px solid var(--vscode-panel-border, transparent); padding-left: 1em; }
  #details h2 { font-size: 1em; margin: 0 0 .4em; }
  #details dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em .8em; margin: 0 0 .6em; }
  #details dt { color: var(--vscode-descriptionForeground); }
  #details dd { margin: 0; }
  #details h3 { font-size: .9em; margin: .8em 0 .3em; }
  #details pre { margin: 0; padding: .4em; white-space: pre-wrap; word-break: break-word; max-height: 16em; overflow: auto;
    font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); }
  .empty { color: var(--vscode-descriptionForeground); }
${stateStyles()}
</style>
</head>
<body>
<header id="toolbar">
  <h1 id="title"></h1>
  <div class="tools" role="group" aria-label="View">
    <button type="button" id="direction" title="Draw left to right or top to bottom"></button>
    <button type="button" id="zoom-out" title="Zoom out" aria-label="Zoom out">−</button>
    <button type="button" id="zoom-in" title="Zoom in" aria-label="Zoom in">+</button>
    <button type="button" id="fit" title="Fit the graph to the view">Fit</button>
  </div>
  <div class="tools" role="group" aria-label="Run">
    <select id="logical-date" title="Logical date: the run the graph shows and the one Run makes" aria-label="Logical date"></select>
    <button type="button" id="run" class="primary"></button>
    <button type="button" id="clear" title="Clear the selected task instance: it and its downstream tasks run again" disabled>Clear</button>
  </div>
</header>
<p id="notice" role="status"></p>
<div id="viewport"><div id="canvas"></div></div>
<ul id="legend" aria-label="Task states"></ul>
<div id="below">
  <section id="grid" aria-label="Runs"></section>
  <aside id="details" aria-live="polite"></aside>
</div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}

/**
 * What a panel shows when VS Code restores it from a saved state that names no DAG: an older
 * version's, or a damaged one. Static text without scripts, under a policy that allows nothing.
 */
export function unrestorablePanelHtml(): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';">
</head>
<body>
<p>This DAG panel cannot be restored: the state it was saved with does not say which DAG it showed (it is from an older version of Airflow Preflight, or damaged). Close it and open the DAG again with the command Airflow Preflight: Show DAG.</p>
</body>
</html>`;
}

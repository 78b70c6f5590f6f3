// SARIF 2.1.0 output of `preflight check --format sarif`, for code-scanning tools.
import type { DiagnosticReport } from '../dag/report';
import { RULES } from '../rules/rules';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function sarifLog(diagnostics: readonly DiagnosticReport[], toolVersion: string): object {
  const ruleIds = Object.keys(RULES) as (keyof typeof RULES)[];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Airflow Preflight',
          version: toolVersion,
          rules: ruleIds.map((id) => ({
            id,
            name: RULES[id].title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
            shortDescription: { text: RULES[id].title },
            defaultConfiguration: { level: LEVEL[RULES[id].severity] },
          })),
        },
      },
      results: diagnostics.map((d) => ({
        ruleId: d.code,
        ruleIndex: ruleIds.indexOf(d.code as keyof typeof RULES),
        level: LEVEL[d.severity],
        message: { text: d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: d.file.split('\\').join('/') },
            region: { startLine: d.line, startColumn: d.column, endLine: d.end_line, endColumn: d.end_column },
          },
        }],
      })),
    }],
  };
}

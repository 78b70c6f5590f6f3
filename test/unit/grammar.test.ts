// The injection grammar that highlights Jinja inside Python strings: its patterns must find
// expressions, statements and comments in the strings DAG authors write.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const grammar = JSON.parse(readFileSync('syntaxes/jinja-in-python.tmLanguage.json', 'utf8'));
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

it('is injected into Python strings and registered by the manifest', () => {
  assert.equal(grammar.injectionSelector, 'L:string.quoted -comment');
  assert.deepEqual(manifest.contributes.grammars, [{ scopeName: grammar.scopeName, path: './syntaxes/jinja-in-python.tmLanguage.json', injectTo: ['source.python'] }]);
});

it('finds expressions, statements and comments in a bash command', () => {
  const text = "echo {{ macros.ds_add(ds, 7) }} {%- if params.full %}all{% endif %} {# note #}";
  const find = (rule: { begin: string; end: string }) => {
    const found: string[] = [];
    const begin = new RegExp(rule.begin, 'g');
    for (let m = begin.exec(text); m; m = begin.exec(text)) {
      const end = new RegExp(rule.end, 'g');
      end.lastIndex = m.index + m[0].length;
      const close = end.exec(text);
      if (close) found.push(text.slice(m.index, close.index + close[0].length));
    }
    return found;
  };
  assert.deepEqual(find(grammar.repository.expression), ['{{ macros.ds_add(ds, 7) }}']);
  assert.deepEqual(find(grammar.repository.statement), ['{%- if params.full %}', '{% endif %}']);
  assert.deepEqual(find(grammar.repository.comment), ['{# note #}']);
  const airflowNames = new RegExp(grammar.repository.inside.patterns.find((p: { name: string }) => p.name === 'variable.language.airflow.jinja').match, 'g');
  assert.deepEqual('macros.ds_add(ds, 7) params.full'.match(airflowNames), ['macros', 'ds', 'params']);
});

// Rendering one templated value as Airflow does: strings through the Jinja-like environment, lists
// and dict values recursively, dict keys and falsy values left alone (§2.5).
import nunjucks from 'nunjucks';
import { createEnvironment } from './environment';
import { literalEval } from './literal';

export interface TemplateError {
  readonly message: string;
  /** 1-based, inside the template text, when nunjucks could say. */
  readonly line?: number;
  readonly column?: number;
}

export type Rendered = { readonly value: unknown } | { readonly error: TemplateError };

const environment = createEnvironment();

/**
 * nunjucks reports `(unknown path) [Line 1, Column 4]` and the message on the next line, wrapping
 * our own errors (`Error: UndefinedError: 'ds_nodsh' is undefined`): the message and its position.
 */
function templateError(error: unknown): TemplateError {
  const text = error instanceof Error ? error.message : String(error);
  const position = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const message = text.replace(/^\(unknown path\)\s*(\[Line \d+(, Column \d+)?\])?\s*/, '').replace(/^\s*(Error|Template render error):\s*/g, '').trim();
  return { message, ...(position ? { line: Number(position[1]), column: Number(position[2]) } : {}) };
}

/** Compiled templates by source: the editor renders the same strings on every keystroke. */
const compiled = new Map<string, nunjucks.Template>();
const CACHE_SIZE = 4000;

function compile(template: string): nunjucks.Template {
  let result = compiled.get(template);
  if (!result) {
    result = new nunjucks.Template(template, environment, undefined, true);
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
    compiled.set(template, result);
  }
  return result;
}

export function renderString(template: string, context: Record<string, unknown>): Rendered {
  try {
    const output = compile(template).render(context);
    // Jinja's default keep_trailing_newline=False drops one trailing newline.
    return { value: output.endsWith('\n') ? output.slice(0, -1) : output };
  } catch (error) {
    return { error: templateError(error) };
  }
}

/** A field's value rendered as Airflow renders it: strings, and lists, tuples and dict values recursively. */
export function renderValue(value: unknown, context: Record<string, unknown>, native = false): Rendered {
  if (!value) return { value };
  if (typeof value === 'string') return native ? renderNative(value, context) : renderString(value, context);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const rendered = renderValue(item, context, native);
      if ('error' in rendered) return rendered;
      out.push(rendered.value);
    }
    return { value: out };
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const rendered = renderValue(item, context, native);
      if ('error' in rendered) return rendered;
      out[key] = rendered.value;
    }
    return { value: out };
  }
  return { value };
}

/** Where a single-expression template hands its raw value when rendered natively. */
const captured: { value: unknown } = { value: undefined };
environment.addGlobal('_preflight_native_value', (value: unknown) => {
  captured.value = value;
  return '';
});

/**
 * Jinja's NativeEnvironment (`render_template_as_native_obj=True`): a template that is one
 * expression gives that expression's value; text is `literal_eval`'d when it is a Python literal.
 */
export function renderNative(template: string, context: Record<string, unknown>): Rendered {
  const single = /^\{\{-?((?:(?!\}\})[\s\S])*?)-?\}\}$/.exec(template);
  if (single) {
    captured.value = undefined;
    const rendered = renderString(`{{ _preflight_native_value((${single[1]})) }}`, context);
    if ('error' in rendered) return rendered;
    const raw = captured.value;
    if (typeof raw !== 'string') return { value: raw };
    const literal = literalEval(raw);
    return { value: literal.ok ? literal.value : raw };
  }
  const rendered = renderString(template, context);
  if ('error' in rendered) return rendered;
  const literal = literalEval(rendered.value as string);
  return literal.ok ? { value: literal.value } : rendered;
}

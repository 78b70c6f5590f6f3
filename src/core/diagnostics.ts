/** A half-open span of the source text, in UTF-16 offsets. Every model object carries one. */
export interface SourceRange {
  readonly from: number;
  readonly to: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A text replacement; an insertion has an empty range. */
export interface TextEdit {
  readonly range: SourceRange;
  readonly newText: string;
}

/** A mechanical correction of a diagnostic, offered as a quick fix in the editor. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix to apply when the user asks for "the" fix (auto-fix on save, `preflight check --fix`). */
  readonly preferred?: boolean;
}

/**
 * A problem found in user input. The core never throws on user input; it returns values together
 * with these. Codes are stable (`PF001`...) and each has a page in docs/rules.md.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: SourceRange;
  readonly fixes?: readonly Fix[];
}

/** A zero-based position, as editors count: line and UTF-16 column. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/** Converts offsets into a text to line/column positions and back, with one scan of the text. */
export class LineIndex {
  private readonly starts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.starts[low] };
  }

  offset(position: Position): number {
    const line = Math.max(0, Math.min(position.line, this.starts.length - 1));
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, position.character), lineEnd);
  }
}

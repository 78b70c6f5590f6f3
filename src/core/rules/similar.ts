/** The row of the distance table, kept between calls: names are compared with a thousand candidates at a time. */
let row = new Int32Array(64);

/**
 * Levenshtein distance, for "did you mean" suggestions. With a `limit`, any distance above it may
 * be given as `limit + 1`: the computation stops as soon as a row has no cell within the limit.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (limit === 0) return a === b ? 0 : 1;
  if (row.length <= b.length) row = new Int32Array(2 * (b.length + 1));
  const previous = row;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
      if (previous[j] < rowMinimum) rowMinimum = previous[j];
    }
    // Each later row's cells are at least this row's smallest one.
    if (rowMinimum > limit) return limit + 1;
  }
  return previous[b.length];
}

/** The candidate closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const allowed = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: most candidates are ruled out without computing it.
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    // Only a candidate nearer than the best so far matters, so the distance is computed up to that.
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

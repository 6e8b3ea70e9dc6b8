/**
 * "Did you mean": the closest candidate by edit distance. Hand-written (a dozen lines of Levenshtein) rather
 * than a dependency: see docs/DECISIONS.md.
 */

/** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `input` if it is close enough to be a typo (at most a third of its length
 * away, and at least 2 edits allowed), or one that `input` abbreviates; otherwise undefined.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => input.length >= 3 && c.startsWith(input));
  if (prefixed.length === 1) return prefixed[0];
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(input.length / 3)) ? best.candidate : undefined;
}

/** ` (did you mean --accounts?)`, or nothing. */
export function didYouMean(input: string, candidates: readonly string[], prefix = ""): string {
  const match = closest(input, candidates);
  return match === undefined ? "" : ` (did you mean ${prefix}${match}?)`;
}

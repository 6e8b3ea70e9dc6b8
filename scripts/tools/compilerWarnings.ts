/**
 * The compiler warnings that `npm run build:strict` counts: those located in the project's own sources
 * (`contracts/`, `test/`). Warnings inside npm packages (Chainlink's 0.6.6 proxy shadows names) are not
 * counted: the project does not own that code.
 */
export function ownWarnings(compilerOutput: string): string[] {
  const own: string[] = [];
  for (const block of compilerOutput.split(/\n(?=Warning)/)) {
    if (!block.startsWith("Warning")) continue;
    const location = /-->\s+(\S+)/.exec(block)?.[1] ?? "";
    if (/^\.?\/?(contracts|test)\//.test(location)) own.push(block.trim());
  }
  return own;
}

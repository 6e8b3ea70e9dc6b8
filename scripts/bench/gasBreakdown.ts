/**
 * Where a measured call's gas goes, from the node's opcode trace (`debug_traceTransaction`, struct logs): every
 * step's gas is attributed to a component, by the contract it runs in and, inside the measured contract, by the
 * opcode. The components:
 * - `entry`: the call into the measured contract (its account cold, the calldata), with the meter's own few
 *   opcodes around it: what the meter measured less every other part;
 * - `engine`: the engine's snapshot of the account and its open interest (the calls and all they execute);
 * - `prices`: Chainlink reads (proxy, aggregator, the sequencer feed);
 * - `volatility`: the volatility oracle;
 * - `twap`: the Uniswap V3 pool;
 * - `configuration`: storage reads of the measured contract (SLOAD), its configuration and state;
 * - `writes`: its storage writes (SSTORE, and TSTORE of the reentrancy guard);
 * - `events`: its logs;
 * - `dispatch`: calls into its linked libraries (DELEGATECALL: a cold account each, the arguments copied);
 * - `math`: everything else it executes (the rule's arithmetic, ABI decoding, memory).
 * The parts add up to the measured gas (`entry` is the rest, checked to be no more than a call's overhead).
 * A whole transaction sent to the measured contract (`transactionBreakdown`) has the same parts, its `entry`
 * being the transaction's intrinsic gas (21,000 and the calldata), checked to be exactly that.
 */
/** What the breakdown needs of a provider. */
interface TraceProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export const COMPONENTS = [
  "entry",
  "engine",
  "prices",
  "volatility",
  "twap",
  "configuration",
  "writes",
  "math",
  "events",
  "dispatch",
] as const;
export type Component = (typeof COMPONENTS)[number];
export type Breakdown = Record<Component, number>;
/** The components named by the contract a step runs in (the others come from the measured contract's opcodes). */
export type ExternalComponent = "engine" | "prices" | "volatility" | "twap";

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

interface Frame {
  label: Component | "measured";
  op: string;
  gasAtCall: number;
  childStart: number;
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

function stackAddress(word: string): string {
  return `0x${BigInt(word.startsWith("0x") ? word : `0x${word}`)
    .toString(16)
    .padStart(40, "0")
    .slice(-40)}`;
}

/**
 * The breakdown of the measured call to `target` inside transaction `hash` (the last call to `target` from the
 * transaction's first frame, as the GasMeter makes it after its warm-up calls). `labels` names the contracts
 * outside the measured one (lower-case addresses); an unnamed contract belongs to its caller's component.
 */
export async function gasBreakdown(
  provider: TraceProvider,
  hash: string,
  target: string,
  labels: Record<string, ExternalComponent>,
  measured: number,
): Promise<Breakdown> {
  const trace = (await provider.send("debug_traceTransaction", [hash, { disableStorage: true, disableMemory: true }])) as {
    structLogs: StructLog[];
  };
  const logs = trace.structLogs;
  const wanted = target.toLowerCase();
  let start = -1;
  for (let i = 0; i + 1 < logs.length; i++) {
    const log = logs[i]!;
    if (log.depth === 1 && CALLS.has(log.op) && logs[i + 1]!.depth === 2 && stackAddress(log.stack!.at(-2)!) === wanted) start = i;
  }
  if (start === -1) throw new Error(`no call to ${target} in ${hash}`);
  const top = logs[start]!;
  const parts = attribute(logs, start + 1, { label: "measured", op: top.op, gasAtCall: top.gas, childStart: logs[start + 1]!.gas }, labels);
  parts.entry = measured - COMPONENTS.reduce((sum, c) => sum + parts[c], 0);
  // A cold call with its calldata: 2,600 and a few hundred; anything else means a step was misattributed.
  if (parts.entry < 2_600 || parts.entry > 6_000) {
    throw new Error(`gas breakdown of ${hash}: ${parts.entry} gas left for the entry call (measured ${measured})`);
  }
  return parts;
}

/**
 * The breakdown of transaction `hash`, sent to the measured contract itself (a keeper's `deleverage`, a
 * `refreshDepth`, a `poke`): `entry` is its intrinsic gas (21,000 and 4 per zero byte, 16 per other byte of
 * calldata), and the parts add up to its gas used. A transaction with a storage refund, or a step not
 * attributed, fails the check (the parts would not add up to the intrinsic gas).
 */
export async function transactionBreakdown(
  provider: TraceProvider,
  hash: string,
  labels: Record<string, ExternalComponent>,
): Promise<Breakdown> {
  const trace = (await provider.send("debug_traceTransaction", [hash, { disableStorage: true, disableMemory: true }])) as {
    structLogs: StructLog[];
  };
  const tx = (await provider.send("eth_getTransactionByHash", [hash])) as { input: string };
  const receipt = (await provider.send("eth_getTransactionReceipt", [hash])) as { gasUsed: string };
  const logs = trace.structLogs;
  const parts = attribute(logs, 0, { label: "measured", op: "CALL", gasAtCall: 0, childStart: 0 }, labels);
  const calldata = Buffer.from(tx.input.replace(/^0x/, ""), "hex");
  const intrinsic = 21_000 + calldata.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
  parts.entry = Number(BigInt(receipt.gasUsed)) - COMPONENTS.reduce((sum, c) => sum + parts[c], 0);
  if (parts.entry !== intrinsic) {
    throw new Error(`gas breakdown of ${hash}: ${parts.entry} gas left for the transaction's intrinsic gas (${intrinsic})`);
  }
  return parts;
}

/** Attributes every step from `logs[from]` on, in the frame `top` and the frames it calls, until `top` returns. */
function attribute(logs: StructLog[], from: number, top: Frame, labels: Record<string, ExternalComponent>): Breakdown {
  const parts = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Breakdown;
  const frames: Frame[] = [top];
  const own = (op: string): Component =>
    op === "SLOAD" ? "configuration" : op === "SSTORE" || op === "TSTORE" ? "writes" : op.startsWith("LOG") ? "events" : "math";
  for (let i = from; i < logs.length; i++) {
    const log = logs[i]!;
    const next = logs[i + 1];
    const frame = frames.at(-1)!;
    if (next === undefined) {
      // The transaction's last step (its top frame returns).
      parts[frame.label === "measured" ? own(log.op) : frame.label] += log.gasCost;
      break;
    }
    if (next.depth === log.depth) {
      parts[frame.label === "measured" ? own(log.op) : frame.label] += log.gas - next.gas;
    } else if (next.depth === log.depth + 1) {
      const address = stackAddress(log.stack!.at(-2)!);
      const inherited = frame.label === "measured" && log.op !== "DELEGATECALL" ? "math" : frame.label;
      const label = labels[address] ?? (log.op === "DELEGATECALL" && frame.label === "measured" ? "measured" : inherited);
      frames.push({ label, op: log.op, gasAtCall: log.gas, childStart: next.gas });
    } else {
      // The frame returns: its last step, then the caller's cost of the call (cold account, memory, the 1/64).
      parts[frame.label === "measured" ? own(log.op) : frame.label] += log.gasCost;
      const leftover = log.gas - log.gasCost;
      frames.pop();
      const overhead = frame.gasAtCall - next.gas - (frame.childStart - leftover);
      if (frames.length === 0) break;
      parts[frame.label === "measured" ? (frame.op === "DELEGATECALL" ? "dispatch" : "math") : frame.label] += overhead;
    }
  }
  return parts;
}

/**
 * A whole transaction (a keeper's `deleverage`, a `refreshDepth`, a `poke`) broken down per component, with
 * `outside`: what it spends outside the called contract's own code, i.e. its intrinsic gas and the calls into
 * the engine, the Chainlink feeds, the volatility oracle and the pool. No implementation of the same rule (the
 * same reads, the same engine) spends less.
 */
export interface TransactionCase {
  gas: number;
  outside: number;
  breakdown: Breakdown;
}

/** Transaction `hash` as a `TransactionCase` (`transactionBreakdown`; its parts add up to `gas`, the gas used). */
export async function transactionCase(
  provider: TraceProvider,
  hash: string,
  labels: Record<string, ExternalComponent>,
): Promise<TransactionCase> {
  const breakdown = await transactionBreakdown(provider, hash, labels);
  const gas = COMPONENTS.reduce((sum, c) => sum + breakdown[c], 0);
  return { gas, outside: breakdown.entry + breakdown.engine + breakdown.prices + breakdown.volatility + breakdown.twap, breakdown };
}

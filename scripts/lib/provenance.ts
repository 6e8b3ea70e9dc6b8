/**
 * Provenance of every JSON file Ballast's tools write: what produced it (tool, version, commit and whether
 * the checkout had uncommitted changes), on what chain (mode, fork block, chain id), from what input
 * (files with their SHA-256), with what seed and parameters. Nothing in it depends on the clock, so a rerun
 * with the same inputs writes the same bytes; timings go to the console.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import type { NetworkConnection } from "hardhat/types/network";

import { gitState, packageVersion } from "./checkout.js";
import type { EnvironmentMode } from "./environment.js";

export { gitState, packageVersion };

export interface Provenance {
  tool: string;
  version: string;
  /** The checkout's commit, or null outside a git checkout. */
  commit: string | null;
  /** Whether tracked or untracked (not ignored) files differ from the commit; null outside a git checkout. */
  dirty: boolean | null;
  /** The chain the tool ran on: the in-process replica, a mainnet fork, or none (a tool without a chain). */
  mode: EnvironmentMode | "none";
  /** The forked block on a mainnet fork, else null. */
  forkBlock: number | null;
  chainId: number | null;
  /** Input files as given on the command line, with the SHA-256 of their contents. */
  inputs: { file: string; sha256: string }[];
  seed: number | null;
  parameters: Record<string, unknown>;
}

export interface ProvenanceInput {
  tool: string;
  mode: Provenance["mode"];
  forkBlock?: number | null;
  chainId?: number | bigint | null;
  inputs?: readonly string[];
  seed?: number | null;
  parameters?: Record<string, unknown>;
}

export async function sha256File(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** The provenance record of a run. */
export async function provenance(input: ProvenanceInput): Promise<Provenance> {
  const [{ commit, dirty }, toolVersion, inputs] = await Promise.all([
    gitState(),
    packageVersion(),
    Promise.all((input.inputs ?? []).map(async (file) => ({ file, sha256: await sha256File(file) }))),
  ]);
  return {
    tool: input.tool,
    version: toolVersion,
    commit,
    dirty,
    mode: input.mode,
    forkBlock: input.forkBlock ?? null,
    chainId: input.chainId === undefined || input.chainId === null ? null : Number(input.chainId),
    inputs,
    seed: input.seed ?? null,
    parameters: input.parameters ?? {},
  };
}

/** The chain facts of a provenance record, read from the connection: chain id and, on a fork, its block. */
export async function chainFacts(
  connection: NetworkConnection,
  mode: EnvironmentMode,
): Promise<Pick<ProvenanceInput, "mode" | "chainId" | "forkBlock">> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const forking = (connection.networkConfig as { forking?: { blockNumber?: number | bigint } }).forking;
  const forkBlock = mode === "mainnet-fork" && forking?.blockNumber !== undefined ? Number(forking.blockNumber) : null;
  return { mode, chainId, forkBlock };
}

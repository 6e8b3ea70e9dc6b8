import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { formatUnits, parseUnits } from "ethers";

import type { EACAggregatorProxy, TestOffchainAggregator, VolatilityOracle } from "../../typechain-types/index.js";
import { phaseOf, type Round } from "./rounds.js";
import { YEAR } from "./riskMath.js";

export interface VolParams {
  /** Seconds. */
  tauUp: number;
  /** Seconds. */
  tauDown: number;
  /** Annualized, as a fraction (0.01 = 1 %). */
  sigmaMin: number;
  sigmaMax: number;
}

export const DEFAULT_VOL_PARAMS: VolParams = { tauUp: 3_600, tauDown: 86_400, sigmaMin: 0.01, sigmaMax: 10 };

export interface VolRecord {
  /** The round id of the file (a proxy round id), as a decimal string: proxy ids exceed 2^53. */
  roundId: string;
  updatedAt: number;
  price: number;
  /** Effective annualized volatility right after the round was folded, read from the contract. */
  sigma: number;
}

export interface VolReport {
  params: VolParams & { secondsPerYear: number };
  records: VolRecord[];
}

/** Rounds written per transaction: keeps each transaction under the 2^24 gas cap of the Osaka fork. */
const BATCH = 400;
const UINT32_MAX = 2n ** 32n - 1n;

/**
 * Replays rounds through a real `EACAggregatorProxy` (in front of a test aggregator, switching to a new
 * aggregator where the file's phase id changes) and the `VolatilityOracle`, poking after every batch.
 * The first valid round becomes the reference; every later round the oracle folds gives one record.
 */
export async function replayRounds(
  ethers: HardhatEthers,
  rounds: readonly Round[],
  decimals: number,
  params: VolParams = DEFAULT_VOL_PARAMS,
  onProgress: (done: number) => void = () => {},
): Promise<VolReport> {
  const [admin] = await ethers.getSigners();
  let aggregator = await deployAggregator(ethers, decimals);
  const proxy: EACAggregatorProxy = await ethers.deployContract("EACAggregatorProxy", [await aggregator.getAddress(), ethers.ZeroAddress]);
  const oracle: VolatilityOracle = await ethers.deployContract("VolatilityOracle", [0, admin!.address]);
  await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin!.address);
  const feed = await proxy.getAddress();
  await oracle.configureFeed(feed, {
    tauUp: params.tauUp,
    tauDown: params.tauDown,
    maxAge: 7 * 86_400,
    maxRoundsPerPoke: 1_000,
    sigmaMin: parseUnits(params.sigmaMin.toString(), 18),
    sigmaMax: parseUnits(params.sigmaMax.toString(), 18),
    impliedFeed: ethers.ZeroAddress,
    impliedWeight: 0,
  });
  await ensureChainTimeAfter(
    ethers,
    rounds.reduce((max, r) => (r.updatedAt > max ? r.updatedAt : max), 0n),
  );

  const byChainId = new Map<bigint, Round>();
  const records: VolRecord[] = [];
  let chainPhase = 1n;
  let index = 0;
  while (index < rounds.length) {
    if (index > 0 && phaseOf(rounds[index]!.roundId) !== phaseOf(rounds[index - 1]!.roundId)) {
      aggregator = await deployAggregator(ethers, decimals);
      const address = await aggregator.getAddress();
      await proxy.proposeAggregator(address);
      await proxy.confirmAggregator(address);
      chainPhase += 1n;
    }
    // Until the reference is set, publish one round at a time (the first poke reads only the latest round).
    const initialized = (await oracle.feedState(feed)).cursor !== 0n;
    const end = initialized ? nextBatchEnd(rounds, index) : index + 1;
    await publish(aggregator, rounds.slice(index, end), chainPhase, byChainId);
    index = end;
    const latest = await proxy.latestRound();
    do {
      const receipt = await (await oracle.poke(feed)).wait();
      for (const log of receipt!.logs) {
        const event = oracle.interface.parseLog(log);
        if (event?.name !== "RoundFolded") continue;
        const source = byChainId.get(event.args.roundId as bigint)!;
        records.push({
          roundId: source.roundId.toString(),
          updatedAt: Number(source.updatedAt),
          price: Number(formatUnits(source.answer, decimals)),
          sigma: Number(formatUnits(event.args.sigma as bigint, 18)),
        });
      }
    } while ((await oracle.feedState(feed)).cursor < latest);
    onProgress(index);
  }
  return { params: { ...params, secondsPerYear: YEAR }, records };
}

async function deployAggregator(ethers: HardhatEthers, decimals: number): Promise<TestOffchainAggregator> {
  return ethers.deployContract("TestOffchainAggregator", [decimals, "replay", 0]);
}

/** End (exclusive) of the next batch: at most BATCH rounds, all of one phase. */
function nextBatchEnd(rounds: readonly Round[], start: number): number {
  let end = start + 1;
  while (end < rounds.length && end - start < BATCH && phaseOf(rounds[end]!.roundId) === phaseOf(rounds[start]!.roundId)) end++;
  return end;
}

/** Transmits rounds as the aggregator's next rounds; incomplete rounds keep `answeredInRound < roundId`. */
async function publish(
  aggregator: TestOffchainAggregator,
  batch: readonly Round[],
  phase: bigint,
  byChainId: Map<bigint, Round>,
): Promise<void> {
  let next = (await aggregator.latestRound()) + 1n;
  const answers: bigint[] = [];
  const times: bigint[] = [];
  const flush = async () => {
    if (answers.length === 0) return;
    await aggregator.transmitBatch(answers.splice(0), times.splice(0));
  };
  for (const round of batch) {
    byChainId.set((phase << 64n) | next, round);
    const answer = clampInt192(round.answer);
    const updatedAt = round.updatedAt > UINT32_MAX ? UINT32_MAX : round.updatedAt;
    if (round.answeredInRound < round.roundId) {
      await flush();
      await aggregator.setRound(next, answer, round.startedAt > UINT32_MAX ? UINT32_MAX : round.startedAt, updatedAt, next - 1n);
    } else {
      answers.push(answer);
      times.push(updatedAt);
    }
    next++;
  }
  await flush();
}

function clampInt192(value: bigint): bigint {
  const max = 2n ** 191n - 1n;
  return value > max ? max : value < -max ? -max : value;
}

async function ensureChainTimeAfter(ethers: HardhatEthers, time: bigint): Promise<void> {
  const block = await ethers.provider.getBlock("latest");
  if (BigInt(block!.timestamp) <= time) {
    await ethers.provider.send("evm_setNextBlockTimestamp", [Number(time) + 1]);
    await ethers.provider.send("evm_mine", []);
  }
}

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { transactionCase, type TransactionCase } from "./gasBreakdown.js";

/**
 * Gas of `VolatilityOracle.poke` folding 1 and 10 rounds through a real EACAggregatorProxy; with `breakdown`,
 * also the one-round poke broken down (the proxy and its aggregator are its `prices`).
 */
export async function measurePokeGas(
  ethers: HardhatEthers,
  options: { breakdown?: boolean } = {},
): Promise<{ oneRound: number; tenRounds: number; transaction?: TransactionCase }> {
  const [admin] = await ethers.getSigners();
  const aggregator = await ethers.deployContract("TestOffchainAggregator", [8, "ETH / USD", 0]);
  const proxy = await ethers.deployContract("EACAggregatorProxy", [await aggregator.getAddress(), ethers.ZeroAddress]);
  const oracle = await ethers.deployContract("VolatilityOracle", [0, admin!.address]);
  await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin!.address);
  const feed = await proxy.getAddress();
  await oracle.configureFeed(feed, {
    tauUp: 3_600,
    tauDown: 86_400,
    maxAge: 7_200,
    maxRoundsPerPoke: 50,
    sigmaMin: 10n ** 16n,
    sigmaMax: 5n * 10n ** 18n,
    impliedFeed: ethers.ZeroAddress,
    impliedWeight: 0,
  });
  let time = (await ethers.provider.getBlock("latest"))!.timestamp;
  let price = 2_000;
  const publish = async (n: number) => {
    const answers: bigint[] = [];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      time += 600;
      price *= i % 2 === 0 ? 1.004 : 0.997;
      answers.push(BigInt(Math.round(price * 1e8)));
      times.push(time);
    }
    await aggregator.transmitBatch(answers, times);
    await ethers.provider.send("evm_setNextBlockTimestamp", [time + 1]);
  };
  const poke = async () => (await (await oracle.poke(feed)).wait())!;
  await publish(1);
  await poke(); // reference
  await publish(3);
  await poke(); // warm-up: the estimator's storage is non-zero from here on
  await publish(1);
  const one = await poke();
  await publish(10);
  const tenRounds = Number((await poke()).gasUsed);
  if (!options.breakdown) return { oneRound: Number(one.gasUsed), tenRounds };
  const transaction = await transactionCase(ethers.provider, one.hash, { [feed.toLowerCase()]: "prices" });
  return { oneRound: Number(one.gasUsed), tenRounds, transaction };
}

/**
 * The keeper's soak test (`npm run soak`; `SOAK_BLOCKS`, default 2,000; `SOAK_SEED`): the real keeper against
 * a local chain (the whole system on an in-process chain served over HTTP on loopback) for thousands of
 * blocks, with random faults injected: RPC errors and latency, dropped connections, timeouts and lost
 * answers (a fault proxy in front of the node), reorgs (a snapshot, two blocks, a revert and another
 * branch), nonce conflicts (another process spending the keeper's nonce), gas spikes (a base fee fifty
 * times higher for a block), and a racing keeper on the same accounts.
 *
 * Cycles of 40 blocks: five days pass (calm rounds, the volatility decays, caps grow back), traders re-lever
 * to 85 % of their cap, then a volatility spike (violent rounds, not poked: the keeper pokes) puts them
 * over cap. Everything is judged at the end on the canonical chain, block by block: an account is in
 * breach at block n when the module reports it over cap there (with the rounds not yet folded applied, as
 * the module will once they are: the deployless status preview). Report (`reports/soak/keeper.json`):
 * breaches (episodes of consecutive over-cap blocks), deleveraged (ended by a `Deleveraged` of either
 * keeper), missed (over cap for more than `MISS_AFTER` blocks without a deleverage: must be 0), duplicate
 * sends (a second successful deleverage of the measured keeper for one episode, or one of its deleverages mined
 * after its own success and reverting: must be 0), reverted attempts (a deleverage that reverted on-chain before
 * the keeper's own success or with nobody's, changing nothing, then retried: reported), and the worst reaction
 * (blocks from the first over-cap block to the deleverage that ends the breach).
 */
import { mkdir, writeFile } from "node:fs/promises";

import { expect } from "chai";
import { getAddress, type TransactionResponse, Wallet } from "ethers";

import { aggregatorInterface, moduleInterface, oracleInterface } from "../../scripts/keeper/abi.js";
import { decodeStatusPreview, statusPreviewData } from "../../scripts/keeper/preview.js";
import { revertData } from "../../scripts/keeper/rpc.js";
import { answer } from "../../scripts/lib/chainlink/feeds.js";
import { Random } from "../../scripts/lib/random.js";
import { ETH_MARKET, keeperHarness } from "../integration/keeper/harness.js";

const soakDescribe = process.env.BALLAST_SOAK === "1" ? describe : describe.skip;
const BLOCKS = Number(process.env.SOAK_BLOCKS ?? 2_000);
const SEED = Number(process.env.SOAK_SEED ?? 20_250_312);
const ACCOUNTS = 10;
const CYCLE = 40;
/** A breach open this many blocks without a deleverage counts as missed. */
const MISS_AFTER = 20;
const BLOCK_SECONDS = 12;

soakDescribe("keeper soak: thousands of blocks with random faults (npm run soak)", function () {
  this.timeout(3 * 3_600_000);

  it(`runs ${BLOCKS} blocks with RPC errors and latency, dropped connections, reorgs, nonce conflicts, gas spikes and a racing keeper: no breach missed, nothing sent twice`, async () => {
    const rng = new Random(SEED);
    const random = () => rng.next();
    const chance = (p: number) => random() < p;
    const h = await keeperHarness();
    const { ethers, networkHelpers } = h;
    const provider = h.connection.provider;
    const rpc = (method: string, params: unknown[] = []) => provider.request({ method, params });
    try {
      const system = await h.load();
      const module = await system.ballast.riskModule.getAddress();
      const oracle = await system.ballast.volatilityOracle.getAddress();
      const feeds = [system.feeds.eth.address, system.feeds.usdc.address];
      const traders = [];
      for (let i = 0; i < ACCOUNTS; i++) traders.push(await h.openAccount(system, 0.3 + 0.05 * i));
      const accounts = traders.map((t) => t.address);

      // The measured keeper behind the fault proxy; a racing keeper straight on the node, slower.
      const measured = await h.start(system, {
        pollIntervalMs: 25,
        rpcTimeoutMs: 800,
        rpcAttempts: 6,
        stuckAfterSeconds: 1.5,
        cooldownSeconds: 0,
        refreshDepth: true,
        checkpointIntervalSeconds: 5,
        logLevel: "info",
      });
      const racer = await h.start(system, { rpc: h.bridge.url, pollIntervalMs: 1_500, cooldownSeconds: 0, logLevel: "warn" });
      const stolen = new Wallet(measured.key, ethers.provider);

      await h.setAutomine(false);
      const first = Number(await rpc("eth_blockNumber")) + 1;
      let timestamp = await networkHelpers.time.latest();
      const faults: Record<string, number> = {};
      const count = (name: string) => (faults[name] = (faults[name] ?? 0) + 1);
      const sent: Promise<TransactionResponse>[] = [];
      const send = (p: Promise<TransactionResponse>) => sent.push(p.catch(() => undefined as never));

      const mineOne = async () => {
        await Promise.allSettled(sent.splice(0));
        timestamp += BLOCK_SECONDS;
        await networkHelpers.time.setNextBlockTimestamp(timestamp);
        await rpc("evm_mine");
        const head = Number(await rpc("eth_blockNumber"));
        // The block time, compressed: the measured keeper has processed the block and sent what it decided
        // (bounded: a fault may stall it, as a slow node would), then the next block comes.
        const deadline = Date.now() + 10_000;
        while (measured.keeper.lastBlock() < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await Promise.race([measured.keeper.sendsDone(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
        return head;
      };

      let mined = 0;
      while (mined < BLOCKS) {
        const phase = mined % CYCLE;
        if (phase === 0) {
          // Calm days: time passes, fresh rounds at the same price (the keeper pokes and refreshes depth); the
          // volatility decays (its slow memory is one day) and caps grow back.
          timestamp += 5 * 86_400;
          const price = Number(await system.feeds.eth.aggregator.latestAnswer()) / 1e8;
          send(system.feeds.eth.aggregator.transmit(answer(price), timestamp + BLOCK_SECONDS - 1, { gasLimit: 300_000 }));
          send(system.feeds.usdc.aggregator.transmit(answer(1), timestamp + BLOCK_SECONDS - 1, { gasLimit: 300_000 }));
        } else if (phase === 6) {
          // Traders re-lever towards 85 % of their cap (an increase the module may refuse: then they do not).
          for (const trader of traders) {
            try {
              const risk = await system.ballast.riskModule.positionRisk(trader.address, ETH_MARKET);
              const target = (risk.cap * 85n) / 100n;
              if (risk.notional >= target || risk.price === 0n) continue;
              const delta = ((target - risk.notional) * 10n ** 18n) / risk.price;
              const trade = system.ballast.engine.connect(trader).getFunction("trade");
              await trade.staticCall(ETH_MARKET, delta);
              send(trade(ETH_MARKET, delta, { gasLimit: 3_000_000 }));
              count("relever");
            } catch (error) {
              const data = revertData(error);
              const reason = data === undefined ? "error" : (moduleInterface.parseError(data)?.name ?? data.slice(0, 10));
              count(`relever-refused:${reason}`);
            }
          }
        } else if (phase === 10) {
          // A volatility spike: violent rounds one minute apart, not poked.
          const price = Number(await system.feeds.eth.aggregator.latestAnswer()) / 1e8;
          const prices = [0.9, 1.1, 0.9, 1.1, 1].map((f) => price * f);
          const times = prices.map((_, i) => timestamp + 1 + i * 2);
          send(
            system.feeds.eth.aggregator.transmitBatch(
              prices.map((p) => answer(p)),
              times,
              { gasLimit: 2_000_000 },
            ),
          );
        }
        if (process.env.SOAK_DEBUG && (phase === 5 || phase === 9 || phase === 12)) {
          const statuses = await system.ballast.riskLens.statusBatch(module, accounts);
          const sigma = await system.ballast.volatilityOracle.getVolatility(system.feeds.eth.address);
          console.log(
            `      cycle ${Math.floor(mined / CYCLE)} phase ${phase}: sigma ${Number(sigma[0]) / 1e18} stale ${sigma[1]} ratios ${statuses.map((x) => (Number(x.status.ratio) / 1e18).toFixed(2)).join(" ")}`,
          );
        }
        // Faults, one-shot, at random.
        if (chance(0.06)) {
          const action = (["error", "http-error", "drop", "timeout", "delay", "forward-then-drop"] as const)[Math.floor(random() * 6)]!;
          const method = (
            [
              "eth_call",
              "eth_blockNumber",
              "eth_getLogs",
              "eth_getBlockByNumber",
              "eth_sendRawTransaction",
              "eth_getTransactionCount",
              "*",
            ] as const
          )[Math.floor(random() * 7)]!;
          h.proxy.add({ method, action, times: 1 + Math.floor(random() * 3), delayMs: 100 + Math.floor(random() * 400) });
          count(`rpc:${action}`);
        }
        if (chance(0.01)) {
          send(stolen.sendTransaction({ to: stolen.address, value: 1n, gasLimit: 21_000 }));
          count("nonce-conflict");
        }
        if (chance(0.01)) {
          await networkHelpers.setNextBlockBaseFeePerGas(50n * 10n ** 9n);
          count("gas-spike");
        }
        if (mined > 50 && phase > 12 && phase < 30 && chance(0.012)) {
          // A reorg: two blocks, then back and another branch of three (other timestamps: other hashes).
          const snapshot = await rpc("evm_snapshot");
          await mineOne();
          await mineOne();
          await rpc("evm_revert", [snapshot]);
          timestamp -= 2 * BLOCK_SECONDS - 1;
          count("reorg");
          for (let i = 0; i < 3; i++) await mineOne();
          mined += 3;
          continue;
        }
        await mineOne();
        mined++;
      }
      const last = Number(await rpc("eth_blockNumber"));
      // A last stretch without new breaches, so that every breach has its chance to be dealt with.
      for (let i = 0; i < MISS_AFTER; i++) await mineOne();
      const end = Number(await rpc("eth_blockNumber"));
      await h.setAutomine(true);
      await h.stopAll();

      // Judgement on the canonical chain.
      const over: boolean[][] = [];
      for (let n = first; n <= end; n++) {
        const pending: string[] = [];
        for (const feed of feeds) {
          const round = aggregatorInterface.decodeFunctionResult(
            "latestRoundData",
            await ethers.provider.call({ to: feed, data: aggregatorInterface.encodeFunctionData("latestRoundData"), blockTag: n }),
          )[0] as bigint;
          const state = oracleInterface.decodeFunctionResult(
            "feedState",
            await ethers.provider.call({ to: oracle, data: oracleInterface.encodeFunctionData("feedState", [feed]), blockTag: n }),
          )[0] as { cursor: bigint };
          if (round > state.cursor) pending.push(feed);
        }
        let statuses;
        try {
          await ethers.provider.call({ data: statusPreviewData(oracle, pending, module, accounts), blockTag: n });
        } catch (error) {
          statuses = decodeStatusPreview(revertData(error) ?? "0x");
        }
        if (statuses === undefined) throw new Error(`no status preview at block ${n}`);
        over.push(statuses.map((s) => s.ok && s.status === 1));
      }
      const deleverages = (
        await ethers.provider.getLogs({
          address: module,
          topics: [moduleInterface.getEvent("Deleveraged")!.topicHash],
          fromBlock: first,
          toBlock: end,
        })
      ).map((log) => {
        const parsed = moduleInterface.parseLog(log)!;
        return {
          account: getAddress(parsed.args.account as string),
          keeper: getAddress(parsed.args.keeper as string),
          block: log.blockNumber,
        };
      });
      const minedByMeasured: { account: string; block: number; status: number; nonce: number }[] = [];
      for (let n = first; n <= end; n++) {
        const block = await ethers.provider.getBlock(n, true);
        for (const tx of block!.prefetchedTransactions) {
          if (tx.from !== measured.address || tx.to?.toLowerCase() !== module.toLowerCase()) continue;
          const parsed = moduleInterface.parseTransaction({ data: tx.data });
          if (parsed?.name !== "deleverage") continue;
          const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
          minedByMeasured.push({ account: getAddress(parsed.args[0] as string), block: n, status: receipt!.status ?? 0, nonce: tx.nonce });
        }
      }

      let breaches = 0;
      let deleveraged = 0;
      let missed = 0;
      let duplicates = 0;
      let raceLosses = 0;
      let revertedAttempts = 0;
      let worst = 0;
      const reactions: number[] = [];
      const missedList: { account: string; from: number; to: number }[] = [];
      accounts.forEach((account, a) => {
        let start: number | undefined;
        for (let i = 0; i <= over.length; i++) {
          const n = first + i;
          const isOver = i < over.length && over[i]![a]!;
          if (isOver && start === undefined) start = n;
          if (!isOver && start !== undefined) {
            breaches++;
            const episodeEnd = i < over.length ? n : end + 1;
            const ending = deleverages.find((d) => d.account === account && d.block === n);
            if (ending !== undefined) {
              deleveraged++;
              reactions.push(n - start);
              worst = Math.max(worst, n - start);
            } else if (episodeEnd - start > MISS_AFTER || i === over.length) {
              missed++;
              missedList.push({ account, from: start, to: episodeEnd - 1 });
            }
            const txs = minedByMeasured.filter((t) => t.account === account && t.block >= start! && t.block <= n);
            const successes = txs.filter((t) => t.status === 1);
            const own = successes.length;
            if (own > 1) duplicates += own - 1;
            // The keeper's transactions are ordered by nonce: a reverted one sent after its own success in the
            // episode was sent again for a breach already dealt with (a duplicate); one before it was an attempt
            // that failed on-chain and changed nothing, retried (counted apart, not a duplicate).
            const firstSuccess = Math.min(...successes.map((t) => t.nonce));
            for (const t of txs.filter((t) => t.status === 0)) {
              const otherWon = deleverages.some((d) => d.account === account && d.block === t.block && d.keeper !== measured.address);
              if (otherWon) raceLosses++;
              else if (own > 0 && t.nonce > firstSuccess) duplicates++;
              else revertedAttempts++;
            }
            start = undefined;
          }
        }
      });
      const measuredDeleverages = deleverages.filter((d) => d.keeper === measured.address).length;
      const report = {
        command: "npm run soak",
        seed: SEED,
        blocks: { measured: last - first + 1, total: end - first + 1, first, last, end },
        accounts: ACCOUNTS,
        faults,
        breaches,
        deleveraged,
        byMeasuredKeeper: measuredDeleverages,
        byRacingKeeper: deleverages.length - measuredDeleverages,
        missed,
        missedList,
        duplicateSends: duplicates,
        revertedAttempts,
        raceLosses,
        reaction: {
          worstBlocks: worst,
          meanBlocks: reactions.length === 0 ? 0 : Math.round((reactions.reduce((s, r) => s + r, 0) / reactions.length) * 100) / 100,
          histogram: reactions.reduce<Record<number, number>>((hist, r) => ({ ...hist, [r]: (hist[r] ?? 0) + 1 }), {}),
        },
        broadcasts: h.broadcastFrom(measured.address).length,
      };
      await mkdir("reports/soak", { recursive: true });
      await writeFile("reports/soak/measured-keeper.log", measured.lines.join(""));
      await writeFile("reports/soak/keeper.json", `${JSON.stringify(report, null, 2)}\n`);
      console.log(`      soak: ${JSON.stringify({ ...report, missedList: undefined })}`);
      expect(breaches, "breaches").to.be.greaterThan(0);
      expect(missed, JSON.stringify(missedList)).to.equal(0);
      expect(duplicates, "duplicate sends").to.equal(0);
      expect(deleveraged).to.equal(breaches);
      expect(Object.keys(faults).length, "every kind of fault injected").to.be.at.least(6);
      expect(racer.address).not.to.equal(measured.address);
    } finally {
      await h.setAutomine(true).catch(() => undefined);
      await h.close();
    }
  });
});

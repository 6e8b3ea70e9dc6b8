/** `npm run deploy:local`: the demo system on a separate local node (body: `scripts/lib/deployLocal.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

const DEFAULT_RPC = "http://127.0.0.1:8545";

export const deployLocalCommand = defineCommand({
  name: "deploy:local",
  synopsis: "[--rpc <url>] [--out <file.json>] [--quiet]",
  description:
    "Deploys the demo system (the mainnet replica, Ballast, the reference engine and the lens) on a separate local node\n" +
    "(anvil, a Hardhat node) and prints, as JSON with provenance, the addresses a keeper needs:\n" +
    '{"chainId", "rpc", "module", "lens", "engine", "volatilityOracle", "ethUsdFeed", "usdcUsdFeed", "pool", "deploymentId", "block"}.\n' +
    "Run twice against the same node, it finds its Ignition record and deploys nothing new.",
  flags: {
    rpc: flag.string("the local node's JSON-RPC URL (http or https)", {
      value: "<url>",
      default: process.env.LOCAL_RPC_URL ?? DEFAULT_RPC,
    }),
    out: flag.string("also write the JSON to this file", { value: "<file.json>" }),
    quiet: flag.bool("no progress line"),
  },
  check: (args) => (/^https?:\/\/\S+$/.test(args.rpc) ? [] : [["rpc", `expected an http(s):// URL, got ${JSON.stringify(args.rpc)}`]]),
  examples: ["npm run deploy:local -- --rpc http://127.0.0.1:8545 --out reports/local-deployment.json"],
  needsBuild: true,
  async run(args) {
    const [{ deployLocal }, { toJson, writeFileAtomic }, { provenance }] = await Promise.all([
      import("../lib/deployLocal.js"),
      import("../lib/files.js"),
      import("../lib/provenance.js"),
    ]);
    if (!args.quiet) process.stderr.write(`deploy:local: deploying the demo system on ${args.rpc}...\n`);
    const deployed = await deployLocal(args.rpc);
    // The node is a separate replica deployment: the tool's chain is the replica, on the node's chain id.
    const record = await provenance({ tool: "deploy:local", mode: "replica", chainId: deployed.chainId, parameters: { rpc: args.rpc } });
    const json = toJson({ ...deployed, provenance: record });
    if (args.out !== undefined) await writeFileAtomic(args.out, json);
    process.stdout.write(json);
  },
});

/** Every command declared with the shared CLI layer, and the npm script and entry file that start it. */
import type { Command } from "../lib/cli.js";
import { benchCrashesCommand } from "./benchCrashes.js";
import { benchGasCommand } from "./benchGas.js";
import { benchKeeperCommand } from "./benchKeeper.js";
import { benchModelCommand } from "./benchModel.js";
import { benchParityCommand } from "./benchParity.js";
import { calibrateCommand } from "./calibrate.js";
import { demoCommand } from "./demo.js";
import { deployLocalCommand } from "./deployLocal.js";
import { depthCommand } from "./depth.js";
import { lintSpecCommand } from "./lintSpec.js";
import { scenarioCommand } from "./scenario.js";
import { simulateCommand } from "./simulate.js";
import { testCommand } from "./test.js";
import { volCommand } from "./vol.js";

export const COMMANDS: readonly { command: Command; entry: string }[] = [
  { command: demoCommand as unknown as Command, entry: "scripts/demo.ts" },
  { command: simulateCommand as unknown as Command, entry: "scripts/simulate.ts" },
  { command: calibrateCommand as unknown as Command, entry: "scripts/calibrate.ts" },
  { command: volCommand as unknown as Command, entry: "scripts/vol.ts" },
  { command: depthCommand as unknown as Command, entry: "scripts/depth.ts" },
  { command: scenarioCommand as unknown as Command, entry: "scripts/scenario.ts" },
  { command: benchGasCommand as unknown as Command, entry: "scripts/bench/gas.ts" },
  { command: benchKeeperCommand as unknown as Command, entry: "scripts/bench/keeper.ts" },
  { command: benchModelCommand as unknown as Command, entry: "scripts/bench/model.ts" },
  { command: benchParityCommand as unknown as Command, entry: "scripts/bench/parity.ts" },
  { command: benchCrashesCommand as unknown as Command, entry: "scripts/bench/crashes.ts" },
  { command: testCommand as unknown as Command, entry: "scripts/test.ts" },
  { command: lintSpecCommand as unknown as Command, entry: "scripts/lint-spec.ts" },
  { command: deployLocalCommand as unknown as Command, entry: "scripts/deploy-local.ts" },
];

import type { Interface } from "ethers";

import { describeError } from "../../keeper/errors.js";
import { revertData } from "../../keeper/rpc.js";
import { LeverageCap__factory } from "../../../typechain-types/index.js";
import type { System } from "../system.js";

/** What an attempted action did: went through, or reverted with a decoded custom error. */
export type Outcome = { ok: true } | { ok: false; error: string; args: readonly unknown[] };

/** The errors the scenarios decode: the module's, the engine's and the baselines'. */
export function scenarioInterfaces(system: System): Interface[] {
  return [system.ballast.riskModule.interface, system.ballast.engine.interface, LeverageCap__factory.createInterface()];
}

/** Runs `action` and reports its outcome, decoding a revert with the first interface that knows it. */
export async function attempt(interfaces: readonly Interface[], action: () => Promise<unknown>): Promise<Outcome> {
  try {
    await action();
    return { ok: true };
  } catch (error) {
    const data = revertData(error);
    if (data !== undefined) {
      for (const iface of interfaces) {
        try {
          const parsed = iface.parseError(data);
          if (parsed !== null) return { ok: false, error: parsed.name, args: [...parsed.args] };
        } catch {
          // Not this interface's error.
        }
      }
      return { ok: false, error: `unknown(${data.slice(0, 10)})`, args: [] };
    }
    return { ok: false, error: describeError(error), args: [] };
  }
}

/** `Name(arg, ...)` of an outcome, for logs and assertion messages. */
export function describeOutcome(outcome: Outcome): string {
  return outcome.ok ? "ok" : `${outcome.error}(${outcome.args.map(String).join(", ")})`;
}

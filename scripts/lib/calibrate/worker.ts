/**
 * A calibration worker thread: evaluates batches of Monte Carlo paths under a parameter set (`PathEvaluator`)
 * for `pool.ts`. Its data (the paths, the shared set-up) arrive once, with the thread.
 */
import { parentPort, workerData } from "node:worker_threads";

import { type EvaluationSetup, PathEvaluator } from "./evaluate.js";
import type { McPath } from "./paths.js";
import type { Candidate } from "./space.js";

/** A batch of paths to evaluate under a candidate. */
export interface WorkerTask {
  task: number;
  candidate: Candidate;
  pathIds: number[];
}

const data = workerData as { setup: EvaluationSetup; paths: McPath[] };
const evaluator = new PathEvaluator(data.setup);
parentPort!.on("message", (message: WorkerTask) => {
  void (async () => {
    try {
      const outcomes = [];
      for (const id of message.pathIds) outcomes.push(await evaluator.evaluate(message.candidate, data.paths[id]!));
      parentPort!.postMessage({ task: message.task, outcomes });
    } catch (error) {
      parentPort!.postMessage({ task: message.task, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});

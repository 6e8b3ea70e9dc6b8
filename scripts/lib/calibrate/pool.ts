/**
 * Evaluates Monte Carlo paths on every core: worker threads (`worker.ts`) each holding the paths, fed batches of
 * path ids for a candidate; or in-process with `threads: 0` (tests).
 */
import { Worker } from "node:worker_threads";

import { type EvaluationSetup, type PathOutcome, PathEvaluator } from "./evaluate.js";
import type { McPath } from "./paths.js";
import type { Candidate } from "./space.js";

type Reply = { task: number; outcomes?: PathOutcome[]; error?: string };

export class EvaluatorPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private readonly local: PathEvaluator | undefined;
  private next = 0;

  private constructor(
    private readonly workers: Worker[],
    private readonly paths: readonly McPath[],
    setup: EvaluationSetup,
  ) {
    this.idle.push(...workers);
    this.local = workers.length === 0 ? new PathEvaluator(setup) : undefined;
  }

  /** A pool of `threads` workers (0: evaluate in this thread). */
  static start(threads: number, setup: EvaluationSetup, paths: readonly McPath[]): EvaluatorPool {
    const workers = Array.from(
      { length: threads },
      () => new Worker(new URL("./worker.ts", import.meta.url), { workerData: { setup, paths }, execArgv: ["--import", "tsx"] }),
    );
    return new EvaluatorPool(workers, paths, setup);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Evaluates `pathIds` under `candidate` on the next free worker. */
  async run(candidate: Candidate, pathIds: readonly number[]): Promise<PathOutcome[]> {
    if (this.local !== undefined) {
      const out: PathOutcome[] = [];
      for (const id of pathIds) out.push(await this.local.evaluate(candidate, this.paths[id]!));
      return out;
    }
    const worker = this.idle.pop() ?? (await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    try {
      const task = this.next++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        const onMessage = (r: Reply) => {
          if (r.task !== task) return;
          worker.off("message", onMessage);
          worker.off("error", reject);
          resolve(r);
        };
        worker.on("message", onMessage);
        worker.once("error", reject);
        worker.postMessage({ task, candidate, pathIds: [...pathIds] });
      });
      if (reply.error !== undefined) throw new Error(`calibration worker: ${reply.error}`);
      return reply.outcomes!;
    } finally {
      const waiter = this.waiting.shift();
      if (waiter !== undefined) waiter(worker);
      else this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The demo's book size, in a module of its own so that `npm run demo -- --help` shows it without loading the
 * simulator. 24 accounts: the whole demo, compile included, fits in two minutes on 2 cores.
 */
export const DEMO_ACCOUNTS = 18;

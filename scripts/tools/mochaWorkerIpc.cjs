/**
 * Loaded (mocha `require`) in every worker of a parallel `npm test`. A worker reports each file's results to the
 * main process over Node's IPC channel, which serializes with plain `JSON.stringify`: a failure whose error holds a
 * bigint (chai's `actual`/`expected` of `expect(1n).to.equal(2n)`, an ethers error's `value`) made the worker throw
 * "Do not know how to serialize a BigInt", and the run reported an "Uncaught error outside test suite" instead of
 * the test that failed. Here every bigint of an outgoing message becomes the string `"<digits>n"` (what the message
 * loses is only the type of a value shown in a failure report); nothing else of the message changes. The tests'
 * own code is untouched: `JSON.stringify` of a bigint still throws inside a test.
 */
const bigintsAsText = (_key, value) => (typeof value === "bigint" ? `${value}n` : value);

if (typeof process.send === "function") {
  const send = process.send.bind(process);
  process.send = (message, ...rest) => send(message === undefined ? message : JSON.parse(JSON.stringify(message, bigintsAsText)), ...rest);
}

import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the reference options engine on one market of an already deployed reference margin engine and
 * attaches it (the deploying account must own the margin engine). Parameters: `marginEngine`, `market`
 * (the engine's market id of the underlying), `feed` (the underlying's Chainlink feed, the volatility
 * oracle's key), `volatilityOracle`, `shortMargin` (WAD, default 0.1e18: 10 % of a short option's underlying
 * notional) and `owner` (default: the deploying account; lists series). Greeks sizing of the market is
 * configured on the risk module afterwards (`configureGreeks`), as governance.
 */
export default buildModule("Options", (m) => {
  const deployer = m.getAccount(0);
  const owner = m.getParameter("owner", deployer);
  const marginEngine = m.contractAt("ReferenceMarginEngine", m.getParameter<string>("marginEngine"));
  const optionsEngine = m.contract("ReferenceOptionsEngine", [
    owner,
    marginEngine,
    m.getParameter<bigint>("market"),
    m.getParameter<string>("feed"),
    m.getParameter<string>("volatilityOracle"),
    m.getParameter("shortMargin", 10n ** 17n),
  ]);
  m.call(marginEngine, "setOptionsEngine", [optionsEngine], { from: deployer });
  return { optionsEngine };
});

import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the VolatilityOracle. Parameters: `admin` (default: the deploying account) holds the default
 * admin role, transferable only in two steps after `adminDelay` seconds (default two days).
 */
export default buildModule("VolatilityOracle", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 2 * 86_400);
  const volatilityOracle = m.contract("VolatilityOracle", [adminDelay, admin]);
  return { volatilityOracle };
});

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title TestStablecoin
/// @notice TEST DOUBLE. A 6-decimal stablecoin standing in for USDC ("USD Coin", "USDC") on the Uniswap V3
/// mainnet replica, where it is placed at USDC's mainnet address. Unlike USDC it has no proxy, blacklist or
/// pause: the owner mints at will. `name`, `symbol` and `decimals` are pure, so the runtime code alone is a
/// complete token wherever it is placed; only the owner needs a storage write.
contract TestStablecoin is ERC20, Ownable {
    constructor() ERC20("USD Coin", "USDC") Ownable(msg.sender) {}

    /// @notice Creates `amount` tokens (6 decimals) for `to`. Owner only.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Always "USD Coin".
    function name() public pure override returns (string memory) {
        return "USD Coin";
    }

    /// @notice Always "USDC".
    function symbol() public pure override returns (string memory) {
        return "USDC";
    }

    /// @notice Always 6, as USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IReferenceMarginEngine} from "../../interfaces/IReferenceMarginEngine.sol";

/// @title ReentrantToken
/// @notice TEST ATTACKER. An ERC20 whose `transferFrom` re-enters the engine (a trade) before moving funds,
/// as a token with transfer hooks could.
contract ReentrantToken is ERC20 {
    IReferenceMarginEngine public immutable engine;
    uint256 public immutable market;

    constructor(IReferenceMarginEngine engine_, uint256 market_) ERC20("Reentrant", "REE") {
        engine = engine_;
        market = market_;
        _mint(msg.sender, 1e30);
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        engine.trade(market, 1e18);
        return super.transferFrom(from, to, amount);
    }
}

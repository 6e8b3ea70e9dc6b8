// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IUniswapV3Factory} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Factory.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";

import {IReferenceMarginEngine} from "../../../contracts/interfaces/IReferenceMarginEngine.sol";
import {IReferenceOptionsEngine} from "../../../contracts/interfaces/IReferenceOptionsEngine.sol";
import {IRiskHook} from "../../../contracts/interfaces/IRiskHook.sol";
import {IRiskLens} from "../../../contracts/interfaces/IRiskLens.sol";
import {IRiskModule} from "../../../contracts/interfaces/IRiskModule.sol";
import {IRiskTypes} from "../../../contracts/interfaces/IRiskTypes.sol";
import {IVolatilityOracle} from "../../../contracts/interfaces/IVolatilityOracle.sol";
import {IAggregatorV3} from "../../../contracts/interfaces/external/IAggregatorV3.sol";
import {IUniswapV3PoolView} from "../../../contracts/interfaces/external/IUniswapV3PoolView.sol";
import {Vm} from "../../utils/Test.sol";

/// @notice The owner functions of the project's test tokens (`TestStablecoin`, `TestToken`).
interface ITestToken {
    function mint(address to, uint256 amount) external;
    function approve(address spender, uint256 amount) external returns (bool);
    function transferOwnership(address to) external;
}

/// @notice The owner functions of the project's `TestOffchainAggregator` (and its `IAggregatorV3`).
interface ITestAggregator is IAggregatorV3 {
    function transmit(int192 answer, uint32 updatedAt) external;
    function setRound(
        uint32 roundId,
        int192 answer,
        uint32 startedAt,
        uint32 updatedAt,
        uint32 answeredInRound
    ) external;
    function latestRound() external view returns (uint256);
    function transferOwnership(address to) external;
}

/// @notice The project's `LiquiditySeeder` (one batch of positions minted from its own balance).
interface ILiquiditySeeder {
    struct Position {
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
    }

    function mintBatch(address pool, Position[] calldata positions) external returns (uint256, uint256);
}

/// @notice The project's `PoolSwapper` (swaps paid from its own balance).
interface IPoolSwapper {
    function swap(
        address pool,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        address recipient
    ) external returns (int256, int256);
}

/// @notice The owner functions of Chainlink's `EACAggregatorProxy` (compiled with solc 0.6.6 from its npm source).
interface IEACAggregatorProxy {
    function proposeAggregator(address aggregator) external;
    function confirmAggregator(address aggregator) external;
    function transferOwnership(address to) external;
    function acceptOwnership() external;
}

/// @notice The addresses of the system the invariant suite attacks (see `RiskSystem`), shared by the test that
/// deploys it and the handler that acts on it.
abstract contract SystemState {
    Vm internal constant _VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bytes32 internal constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    bytes32 internal constant RISK_ORACLE_ROLE = keccak256("RISK_ORACLE_ROLE");
    bytes32 internal constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    error DeployFailed(string name);

    uint256 internal constant MARKETS = 3;
    uint24 internal constant FEE = 500;
    int24 internal constant SPACING = 10;
    uint256 internal constant WAD = 1e18;

    ITestToken internal usdc;
    ITestToken[MARKETS] internal bases;
    IUniswapV3Pool[MARKETS] internal pools;
    bool[MARKETS] internal baseIsToken0;
    ITestAggregator[MARKETS] internal aggregators;
    address[MARKETS] internal feeds;
    uint256[MARKETS] internal startPrices;
    ITestAggregator internal usdcAggregator;
    address internal usdcFeed;
    ITestAggregator internal impliedFeed;
    ITestAggregator internal sequencerFeed;
    IVolatilityOracle internal oracle;
    IReferenceMarginEngine internal engine;
    IReferenceOptionsEngine internal options;
    IRiskModule internal module;
    IRiskLens internal lens;
    ILiquiditySeeder internal seeder;
    IPoolSwapper internal swapper;
    uint256[] internal series;

    /// @notice Everything `RiskSystem` deployed, to hand over to the handler.
    struct Deployment {
        ITestToken usdc;
        ITestToken[MARKETS] bases;
        IUniswapV3Pool[MARKETS] pools;
        bool[MARKETS] baseIsToken0;
        ITestAggregator[MARKETS] aggregators;
        address[MARKETS] feeds;
        uint256[MARKETS] startPrices;
        ITestAggregator usdcAggregator;
        address usdcFeed;
        ITestAggregator impliedFeed;
        ITestAggregator sequencerFeed;
        IVolatilityOracle oracle;
        IReferenceMarginEngine engine;
        IReferenceOptionsEngine options;
        IRiskModule module;
        IRiskLens lens;
        ILiquiditySeeder seeder;
        IPoolSwapper swapper;
        uint256[] series;
    }

    function _deployment() internal view returns (Deployment memory d) {
        (d.usdc, d.bases, d.pools, d.baseIsToken0, d.aggregators, d.feeds, d.startPrices) = (
            usdc,
            bases,
            pools,
            baseIsToken0,
            aggregators,
            feeds,
            startPrices
        );
        (d.usdcAggregator, d.usdcFeed, d.impliedFeed, d.sequencerFeed, d.oracle, d.engine, d.options) = (
            usdcAggregator,
            usdcFeed,
            impliedFeed,
            sequencerFeed,
            oracle,
            engine,
            options
        );
        (d.module, d.lens, d.seeder, d.swapper, d.series) = (module, lens, seeder, swapper, series);
    }

    function _adopt(Deployment memory d) internal {
        (usdc, bases, pools, baseIsToken0, aggregators, feeds, startPrices) = (
            d.usdc,
            d.bases,
            d.pools,
            d.baseIsToken0,
            d.aggregators,
            d.feeds,
            d.startPrices
        );
        (usdcAggregator, usdcFeed, impliedFeed, sequencerFeed, oracle, engine, options) = (
            d.usdcAggregator,
            d.usdcFeed,
            d.impliedFeed,
            d.sequencerFeed,
            d.oracle,
            d.engine,
            d.options
        );
        (module, lens, seeder, swapper, series) = (d.module, d.lens, d.seeder, d.swapper, d.series);
    }

    /// @notice `sqrtPriceX96` of the pool of market `i` at `price` USD per base token (18 decimals, USDC 6).
    function sqrtPriceX96(uint256 i, uint256 price) internal view returns (uint160) {
        // Raw quote per raw base is price * 1e6 / 1e18.
        if (baseIsToken0[i]) return uint160(Math.sqrt(Math.mulDiv(price * 1e6, 1 << 192, 1e18)));
        return uint160(Math.sqrt(Math.mulDiv(1e18, 1 << 192, price * 1e6)));
    }

    /// @notice Deploys the project artifact `name` (linked, as the tests see it) with constructor `args`.
    function _deploy(string memory name, bytes memory args) internal returns (address deployed) {
        bytes memory code = abi.encodePacked(_VM.getCode(name), args);
        // solhint-disable-next-line no-inline-assembly
        assembly {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        if (deployed == address(0)) revert DeployFailed(name);
    }

    /// @notice A test aggregator (`MissingRound.ReturnZeros`) with `decimals`.
    function _aggregator(uint8 decimals, string memory name) internal returns (ITestAggregator) {
        return ITestAggregator(_deploy("TestOffchainAggregator", abi.encode(decimals, name, uint8(0))));
    }

    function _publish(ITestAggregator aggregator, uint256 answer) internal {
        aggregator.transmit(int192(int256(answer)), uint32(block.timestamp));
    }
}

/// @notice The whole system the invariant suite attacks, on real bytecode: three markets, each a real Uniswap V3
/// pool (v3-core 1.0.1 artifact bytecode, USDC quote, 0.05 % fee) with its own Chainlink `EACAggregatorProxy` in
/// front of a test aggregator; USDC and WETH collateral; the volatility oracle (with an implied-volatility feed
/// on market 1); Ballast's risk module with the reference margin engine, the reference options engine on market
/// 1 (Greeks sizing on) and the lens; an L2 sequencer uptime feed. Deployed, configured and warmed up (an hour of
/// rounds, filled TWAP windows, two depth refreshes in different blocks) by `_deploySystem`.
abstract contract RiskSystem is SystemState {
    error CreateFailed();

    function _deploySystem() internal {
        _VM.warp(1_700_000_000);
        _VM.roll(100);
        usdc = ITestToken(_deploy("TestStablecoin", ""));
        startPrices = [uint256(3_000), 120, 15];
        string[3] memory names = ["Wrapped Ether", "Token A", "Token B"];
        IUniswapV3Factory factory = IUniswapV3Factory(
            _create(
                _VM.parseJsonBytes(
                    _VM.readFile(
                        "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"
                    ),
                    ".bytecode"
                )
            )
        );
        seeder = ILiquiditySeeder(_deploy("LiquiditySeeder", ""));
        swapper = IPoolSwapper(_deploy("PoolSwapper", ""));
        usdc.mint(address(seeder), 1e30);
        usdc.mint(address(swapper), 1e30);
        for (uint256 i; i < MARKETS; ++i) {
            bases[i] = ITestToken(_deploy("TestToken", abi.encode(names[i], names[i], uint8(18))));
            bases[i].mint(address(seeder), 1e36);
            bases[i].mint(address(swapper), 1e36);
            pools[i] = IUniswapV3Pool(factory.createPool(address(bases[i]), address(usdc), FEE));
            baseIsToken0[i] = pools[i].token0() == address(bases[i]);
            pools[i].initialize(sqrtPriceX96(i, startPrices[i]));
            pools[i].increaseObservationCardinalityNext(64);
            _seed(i);
            (aggregators[i], feeds[i]) = _feed(8, names[i]);
            _publish(aggregators[i], startPrices[i] * 1e8);
        }
        (usdcAggregator, usdcFeed) = _feed(8, "USDC / USD");
        _publish(usdcAggregator, 1e8);
        impliedFeed = _aggregator(8, "ETH implied volatility");
        _publish(impliedFeed, 0.6e8);
        sequencerFeed = _aggregator(0, "L2 sequencer uptime");
        sequencerFeed.setRound(1, 0, uint32(block.timestamp - 1 days), uint32(block.timestamp - 1 days), 1);

        oracle = IVolatilityOracle(_deploy("VolatilityOracle", abi.encode(uint48(0), address(this))));
        IAccessControl(address(oracle)).grantRole(RISK_ADMIN_ROLE, address(this));
        engine = IReferenceMarginEngine(_deploy("ReferenceMarginEngine", abi.encode(address(this))));
        module = IRiskModule(
            _deploy("RiskModule", abi.encode(address(engine), address(oracle), uint48(0), address(this)))
        );
        lens = IRiskLens(_deploy("RiskLens", ""));
        engine.setRiskModule(IRiskHook(address(module)));
        options = IReferenceOptionsEngine(
            _deploy(
                "ReferenceOptionsEngine",
                abi.encode(address(this), address(engine), uint256(1), feeds[0], address(oracle), uint256(0.1e18))
            )
        );
        engine.setOptionsEngine(options);
        IAccessControl(address(module)).grantRole(RISK_ADMIN_ROLE, address(this));
        IAccessControl(address(module)).grantRole(RISK_ORACLE_ROLE, address(this));
        IAccessControl(address(module)).grantRole(GUARDIAN_ROLE, address(this));
        _warmUp();
        _configure();
    }

    /// @dev Two ranges around the price: a heavy one within ~2 % and a wide one within ~20 %; about 4 million USD
    /// of quote moves the price by 2 %.
    function _seed(uint256 i) private {
        (, int24 tick, , , , , ) = pools[i].slot0();
        int24 mid = (tick / SPACING) * SPACING;
        // g = sqrt(raw quote per raw base), WAD; a 2 % move needs about L * g * 1 % raw quote.
        uint256 g = Math.sqrt(startPrices[i] * 1e24);
        uint128 heavy = uint128(Math.mulDiv(3e12, 1e20, g));
        ILiquiditySeeder.Position[] memory positions = new ILiquiditySeeder.Position[](2);
        positions[0] = ILiquiditySeeder.Position(mid - 200, mid + 200, heavy);
        positions[1] = ILiquiditySeeder.Position(mid - 2_000, mid + 2_000, heavy / 2);
        seeder.mintBatch(address(pools[i]), positions);
    }

    function _feed(uint8 decimals, string memory name) private returns (ITestAggregator aggregator, address proxy) {
        aggregator = _aggregator(decimals, name);
        proxy = _deploy("EACAggregatorProxy", abi.encode(address(aggregator), address(0)));
    }

    function _warmUp() private {
        IVolatilityOracle.FeedConfig memory fc = IVolatilityOracle.FeedConfig({
            impliedFeed: IAggregatorV3(address(0)),
            maxAge: 2 hours,
            tauUp: 1 hours,
            tauDown: 1 days,
            maxRoundsPerPoke: 100,
            sigmaMin: 0.1e18,
            sigmaMax: 5e18,
            impliedWeight: 0
        });
        for (uint256 i; i < MARKETS; ++i) {
            if (i == 0) {
                fc.impliedFeed = IAggregatorV3(address(impliedFeed));
                fc.impliedWeight = 1e18;
            } else {
                fc.impliedFeed = IAggregatorV3(address(0));
                fc.impliedWeight = 0;
            }
            oracle.configureFeed(feeds[i], fc);
            oracle.poke(feeds[i]);
        }
        fc.impliedFeed = IAggregatorV3(address(0));
        fc.impliedWeight = 0;
        oracle.configureFeed(usdcFeed, fc);
        oracle.poke(usdcFeed);
        // An hour of rounds ten minutes apart, +-0.13 %: about 60 % a year.
        for (uint256 step; step < 7; ++step) {
            _VM.warp(block.timestamp + 10 minutes);
            _VM.roll(block.number + 50);
            for (uint256 i; i < MARKETS; ++i) {
                uint256 price = startPrices[i] * 1e8;
                if (step < 6) price = step % 2 == 0 ? (price * 10_013) / 10_000 : (price * 9_987) / 10_000;
                _publish(aggregators[i], price);
                oracle.poke(feeds[i]);
            }
            _publish(usdcAggregator, 1e8);
            _publish(impliedFeed, 0.6e8);
            oracle.poke(usdcFeed);
        }
    }

    function _configure() private {
        module.configureTier(0, 20e18);
        module.configureTier(1, 10e18);
        module.configureCollateral(
            address(usdc),
            IRiskTypes.CollateralConfig({
                feed: IAggregatorV3(usdcFeed),
                maxPriceAge: 1 days + 1 hours,
                tier: 0,
                baseHaircut: 0.01e18,
                volZ: 3e18,
                volHorizon: 1 hours
            })
        );
        module.configureCollateral(
            address(bases[0]),
            IRiskTypes.CollateralConfig({
                feed: IAggregatorV3(feeds[0]),
                maxPriceAge: 1 hours + 5 minutes,
                tier: 1,
                baseHaircut: 0.05e18,
                volZ: 3e18,
                volHorizon: 1 hours
            })
        );
        engine.listCollateral(address(usdc), IReferenceMarginEngine.Collateral(IAggregatorV3(usdcFeed)));
        engine.listCollateral(address(bases[0]), IReferenceMarginEngine.Collateral(IAggregatorV3(feeds[0])));
        for (uint256 i; i < MARKETS; ++i) {
            module.configureMarket(i + 1, marketConfig(i));
            engine.listMarket(i + 1, IReferenceMarginEngine.Market(IAggregatorV3(feeds[i]), 0.05e18, 0.01e18));
            module.refreshDepth(i + 1);
        }
        _VM.roll(block.number + 1);
        _VM.warp(block.timestamp + 12);
        for (uint256 i; i < MARKETS; ++i) module.refreshDepth(i + 1);
        module.configureGreeks(
            1,
            IRiskTypes.GreeksConfig({enabled: true, volShock: 1e18, buffer: 0.2e18, hedgeInterval: 600})
        );
        module.configureSequencer(address(sequencerFeed), 1 hours);
        uint64 expiry = uint64(block.timestamp + 30 days);
        series.push(options.listSeries(IReferenceOptionsEngine.Series(true, expiry, uint128(startPrices[0] * WAD))));
        series.push(options.listSeries(IReferenceOptionsEngine.Series(false, expiry, uint128(startPrices[0] * WAD))));
        series.push(
            options.listSeries(IReferenceOptionsEngine.Series(false, expiry + 30 days, uint128(startPrices[0] * 9e17)))
        );
    }

    /// @notice The default configuration of market `i` (`scripts/lib/ballast/params.ts`).
    function marketConfig(uint256 i) internal view returns (IRiskTypes.MarketConfig memory) {
        return
            IRiskTypes.MarketConfig({
                feed: IAggregatorV3(feeds[i]),
                maxPriceAge: 1 hours + 5 minutes,
                horizon: 1 hours,
                depthMaxAge: 1 hours,
                maintenanceMargin: 0.05e18,
                z: 3e18,
                kappa: 0.05e18,
                kappaOI: 2e18,
                sigmaTarget: 0,
                maxDeviation: 0.02e18,
                tauTrigger: 0.05e18,
                tauTarget: 0.05e18,
                oiCapLong: 1e27,
                oiCapShort: 1e27,
                pool: IUniswapV3PoolView(address(pools[i])),
                baseIsToken0: baseIsToken0[i],
                twapWindow: 30 minutes,
                maxWalkSteps: 128,
                maxSlippage: 0.02e18,
                rho: 0.5e18,
                deleverageWindow: 1 hours,
                depthRisePerHour: 0.1e18,
                keeperFeeRate: 0.001e18,
                keeperFeeMax: 100e18,
                // A gap floor in one market (the others use the diffusion term alone, the default).
                gap: i == 1 ? 0.06e18 : 0
            });
    }

    function _create(bytes memory code) internal returns (address deployed) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        if (deployed == address(0)) revert CreateFailed();
    }
}

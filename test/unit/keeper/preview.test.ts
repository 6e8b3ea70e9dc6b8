import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { AbiCoder, Interface, ZeroAddress } from "ethers";

import { DELEVERAGE_PREVIEW_BYTECODE, STATUS_PREVIEW_BYTECODE } from "../../../scripts/keeper/previewBytecode.js";
import { decodeDeleveragePreview, decodeStatusPreview, deleveragePreviewData, previewInterface } from "../../../scripts/keeper/preview.js";
import { previewBytecodes, renderBytecodes } from "../../../scripts/tools/keeper-preview.js";

describe("keeper deployless previews", () => {
  it("the embedded creation code equals the compiled StatusPreview and DeleveragePreview (npm run build:keeper-preview)", async () => {
    const compiled = await previewBytecodes();
    expect(STATUS_PREVIEW_BYTECODE).to.equal(compiled.status);
    expect(DELEVERAGE_PREVIEW_BYTECODE).to.equal(compiled.deleverage);
    expect(await readFile("scripts/keeper/previewBytecode.ts", "utf8")).to.equal(renderBytecodes(compiled));
  });

  it("decodes a deleverage preview's verdict: success with gas and fee, or the module's revert data unchanged, and nothing else", () => {
    const ok = previewInterface.encodeErrorResult("DeleveragePreviewed", [5n, 7n, 290_000n]);
    expect(decodeDeleveragePreview(ok)).to.deep.equal({ ok: true, gasUsed: 290_000n, value: 7n });
    const inner = new Interface([
      "error NothingToDeleverage(address account, uint256 market, uint256 notional, uint256 cap)",
    ]).encodeErrorResult("NothingToDeleverage", [ZeroAddress, 1n, 2n, 3n]);
    const failed = previewInterface.encodeErrorResult("DeleveragePreviewFailed", [inner]);
    expect(decodeDeleveragePreview(failed)).to.deep.equal({ ok: false, revertData: inner });
    expect(decodeDeleveragePreview(inner)).to.equal(undefined);
    expect(decodeStatusPreview(ok)).to.equal(undefined);
  });

  it("encodes the preview's constructor arguments after its creation code", () => {
    const data = deleveragePreviewData(ZeroAddress, [ZeroAddress], ZeroAddress, ZeroAddress, 1n);
    expect(data.startsWith(DELEVERAGE_PREVIEW_BYTECODE)).to.equal(true);
    const args = AbiCoder.defaultAbiCoder().decode(
      ["address", "address[]", "address", "address", "uint256"],
      `0x${data.slice(DELEVERAGE_PREVIEW_BYTECODE.length)}`,
    );
    expect(args[4]).to.equal(1n);
  });
});

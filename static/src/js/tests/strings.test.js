// Server-translated strings (../room/strings.js): placeholders and missing keys.
import assert from "node:assert/strict";
import { test } from "node:test";

import { format, translator } from "../room/strings.js";

test("format fills {placeholders} and leaves unknown ones visible", () => {
  assert.equal(format("{name} joined", { name: "Asha" }), "Asha joined");
  assert.equal(format("{done} of 3 covered", { done: 0 }), "0 of 3 covered");
  assert.equal(format("{a} and {b}", { a: 1 }), "1 and {b}");
});

test("translator uses the catalogue and shows a missing key as itself", () => {
  const t = translator({ peerLeft: "{name} est parti" });
  assert.equal(t("peerLeft", { name: "Ravi" }), "Ravi est parti");
  assert.equal(t("nope"), "nope");
});

// Chunked, resumable upload of a recording (../room/recording.js): nothing duplicated, nothing skipped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { UploadBuffer, uploadAll } from "../room/recording.js";

const bytes = (s) => new Blob([s]);

function server({ failFirst = 0, loseReplyOnce = false } = {}) {
  const held = [];
  let failures = failFirst;
  let lostReply = loseReplyOnce;
  const send = async (offset, data) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error("network");
    }
    const size = held.join("").length;
    if (offset !== size) return { status: 409, offset: size };
    held.push(await data.text());
    if (lostReply) {
      lostReply = false;
      throw new Error("reply lost");
    }
    return { status: 200, offset: size + data.size };
  };
  return { held, send };
}

describe("recording upload", () => {
  test("sends everything in order in chunks no bigger than the limit", async () => {
    const buf = new UploadBuffer();
    buf.push(bytes("abcdefgh"));
    buf.push(bytes("ij"));
    const srv = server();
    const sizes = [];
    const ok = await uploadAll(buf, { send: (o, d) => { sizes.push(d.size); return srv.send(o, d); }, wait: async () => {} });
    assert.equal(ok, true);
    assert.equal(srv.held.join(""), "abcdefghij");
    assert.equal(buf.size, 0);
    assert.equal(buf.end, 10);
  });

  test("a lost reply resumes from the server's offset without sending bytes twice", async () => {
    const buf = new UploadBuffer();
    buf.push(bytes("hello "));
    const srv = server({ loseReplyOnce: true });
    assert.equal(await uploadAll(buf, { send: srv.send, wait: async () => {} }), true);
    buf.push(bytes("world"));
    assert.equal(await uploadAll(buf, { send: srv.send, wait: async () => {} }), true);
    assert.equal(srv.held.join(""), "hello world");
  });

  test("network errors are retried, then given up", async () => {
    const buf = new UploadBuffer();
    buf.push(bytes("x"));
    const flaky = server({ failFirst: 2 });
    assert.equal(await uploadAll(buf, { send: flaky.send, wait: async () => {} }), true);
    const buf2 = new UploadBuffer();
    buf2.push(bytes("y"));
    const down = server({ failFirst: 99 });
    assert.equal(await uploadAll(buf2, { send: down.send, retries: 3, wait: async () => {} }), false);
  });

  test("a refusal (wrong type, too large) stops at once; a server that lost bytes we dropped fails", async () => {
    const buf = new UploadBuffer();
    buf.push(bytes("data"));
    let calls = 0;
    const refuse = async () => { calls += 1; return { status: 415 }; };
    assert.equal(await uploadAll(buf, { send: refuse, wait: async () => {} }), false);
    assert.equal(calls, 1);
    const b = new UploadBuffer();
    b.push(bytes("abcdef"));
    assert.equal(b.confirm(4), true);
    assert.equal(b.confirm(2), false);
  });
});

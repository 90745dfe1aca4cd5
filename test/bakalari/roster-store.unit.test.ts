/** Which rosters a cron tick re-reads (rostersToRead): never-read groups, then those read longest ago. */
import { describe, expect, it } from "vitest";
import { rostersToRead } from "../../src/bakalari/roster-store";

describe("which rosters a tick reads (rostersToRead)", () => {
  const at = (minute: number) => ({ readAt: new Date(Date.UTC(2026, 10, 2, 8, minute)) });

  it("reads every group never read, and the share read longest ago", () => {
    const kept = new Map([
      ["a", at(3)],
      ["b", at(1)],
      ["c", at(2)],
      ["d", at(4)],
    ]);
    expect([...rostersToRead(["a", "b", "c", "d", "new"], kept, 4)].sort()).toEqual(["b", "c", "new"]); // ceil(5/4) = 2 oldest
    expect([...rostersToRead(["a", "b", "c", "d"], kept, 1)].sort()).toEqual(["a", "b", "c", "d"]);
    expect([...rostersToRead(["a", "b"], new Map(), 4)].sort()).toEqual(["a", "b"]);
  });

  it("breaks ties by group id, and re-reads everything within `rotation` ticks", () => {
    const ids = Array.from({ length: 10 }, (_, i) => ` ${i}`);
    const kept = new Map(ids.map((id) => [id, at(0)]));
    const seen = new Set<string>();
    for (let tick = 1; tick <= 4; tick++) {
      const read = rostersToRead(ids, kept, 4);
      expect(read.size).toBe(3);
      for (const id of read) {
        seen.add(id);
        kept.set(id, at(tick));
      }
    }
    expect(seen.size).toBe(10);
    expect([...rostersToRead(ids, new Map(ids.map((id) => [id, at(0)])), 4)]).toEqual([" 0", " 1", " 2"]);
  });

  it("keeps a roster that failed in its turn at the front: its read time did not move", () => {
    const kept = new Map([
      ["failed", at(0)],
      ["x", at(5)],
      ["y", at(6)],
    ]);
    expect(rostersToRead(["failed", "x", "y"], kept, 3)).toEqual(new Set(["failed"]));
  });
});
